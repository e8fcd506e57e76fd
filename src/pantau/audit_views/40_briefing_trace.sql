-- From a briefing to its files and their checks. role 'used': the accepted batches the briefing
-- recorded as its inputs (input_batches), or, for a briefing that recorded none, every batch
-- accepted before it was generated. role 'held_back': every rejected or quarantined file received
-- before it was generated (whatever its region), with the checks it failed or its error code.
create or replace view audit.briefing_trace as
with recorded_inputs as (
    select briefings.briefing_id, inputs.feed, batch.batch_id
    from audit.briefings
    cross join lateral jsonb_each(
        case when jsonb_typeof(briefings.input_batches) = 'object' then briefings.input_batches else '{}' end
    ) as inputs (feed, batch_ids)
    cross join lateral jsonb_array_elements_text(
        case when jsonb_typeof(inputs.batch_ids) = 'array' then inputs.batch_ids else '[]' end
    ) as batch (batch_id)
),
traced as (
    select briefing_id, feed, batch_id, 'used' as role
    from recorded_inputs
    union
    select briefings.briefing_id, ledger.feed, ledger.batch_id, 'used'
    from audit.briefings
    inner join audit.load_ledger as ledger
        on ledger.status = 'accepted'
        and coalesce(ledger.validated_at, ledger.loaded_at, ledger.received_at) <= briefings.generated_at
    where briefings.input_batches is null
    union
    select briefings.briefing_id, ledger.feed, ledger.batch_id, 'held_back'
    from audit.briefings
    inner join audit.load_ledger as ledger
        on ledger.status in ('rejected', 'quarantined') and ledger.received_at <= briefings.generated_at
)
select
    briefings.briefing_id,
    briefings.region_code,
    briefings.meeting_date,
    briefings.data_cutoff,
    briefings.generated_at as briefing_generated_at,
    briefings.quality_status as briefing_quality_status,
    briefings.pdf_sha256,
    traced.role,
    traced.feed,
    feeds.agency,
    traced.batch_id,
    ledger.source_file,
    ledger.file_sha256,
    ledger.status as file_status,
    ledger.row_count,
    ledger.reject_count,
    ledger.error_code,
    ledger.received_at,
    ledger.validated_at,
    quality.run_id as check_run_id,
    coalesce(quality.checks_run, 0) as checks_run,
    coalesce(quality.checks_passed, 0) as checks_passed,
    coalesce(quality.checks_failed_blocking, 0) as checks_failed_blocking,
    coalesce(quality.checks_failed_warning, 0) as checks_failed_warning,
    quality.failed_checks
from traced
inner join audit.briefings as briefings using (briefing_id)
left join audit.load_ledger as ledger on ledger.batch_id = traced.batch_id
left join audit.feeds as feeds on feeds.feed = traced.feed
left join audit.batch_quality as quality on quality.batch_id = traced.batch_id;
