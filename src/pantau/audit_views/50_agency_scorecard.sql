-- One row per file received, with what the scorecard counts of it: its agency, status, rows,
-- whether it arrived on time and the gate-1 checks its latest run failed. A file is on time when
-- it arrived while its feed was on time (audit.freshness_status, as of its arrival, against the
-- feed's previous file); a feed's first file and an ad-hoc feed's files are on time.
create or replace view audit.file_scorecard as
with files as (
    select
        ledger.batch_id,
        ledger.feed,
        ledger.status,
        ledger.row_count,
        ledger.reject_count,
        ledger.received_at,
        coalesce(ledger.validated_at, ledger.loaded_at, ledger.received_at) as accepted_at,
        coalesce(feeds.agency, ledger.feed) as agency,
        feeds.cadence_days,
        lag(ledger.received_at) over (
            partition by ledger.feed order by ledger.received_at, ledger.batch_id
        ) as previous_received_at
    from audit.load_ledger as ledger
    left join audit.feeds as feeds on feeds.feed = ledger.feed
)
select
    files.batch_id,
    files.feed,
    files.agency,
    files.status,
    files.row_count,
    files.reject_count,
    files.received_at,
    files.accepted_at,
    files.cadence_days,
    (
        files.previous_received_at is null
        or audit.freshness_status(files.cadence_days, files.previous_received_at, files.received_at)
        = 'tepat waktu'
    ) as is_on_time,
    coalesce(quality.checks_failed_blocking, 0) as checks_failed_blocking,
    coalesce(quality.checks_failed_warning, 0) as checks_failed_warning
from files
left join audit.batch_quality as quality on quality.batch_id = files.batch_id;

-- Per agency (feeds.yml `agency`) and month of receipt (session time zone): files received, on
-- time, accepted, rejected, quarantined, gate-1 checks failed (each batch's latest run), and how
-- many of the agency's scheduled feeds were on time at the end of the month (now, for the
-- current month), by audit.freshness_status as the briefing and `pantau status` show it.
create or replace view audit.agency_scorecard as
with months as (
    select
        agency,
        date_trunc('month', received_at)::date as period_month,
        array_agg(distinct feed) as feeds,
        count(*) as files_received,
        count(*) filter (where is_on_time) as files_on_time,
        count(*) filter (where status = 'accepted') as files_accepted,
        count(*) filter (where status = 'rejected') as files_rejected,
        count(*) filter (where status = 'quarantined') as files_quarantined,
        sum(checks_failed_blocking)::bigint as expectations_failed,
        sum(checks_failed_warning)::bigint as warnings_failed
    from audit.file_scorecard
    group by agency, date_trunc('month', received_at)::date
),
feed_months as (
    select
        months.agency,
        months.period_month,
        count(last_accepted.feed) filter (where last_accepted.cadence_days is not null) as feeds_scheduled,
        count(last_accepted.feed) filter (
            where last_accepted.cadence_days is not null
            and audit.freshness_status(
                last_accepted.cadence_days,
                last_accepted.last_accepted_at,
                least(now(), (months.period_month + interval '1 month')::timestamptz)
            ) = 'tepat waktu'
        ) as feeds_on_time
    from months
    left join audit.feed_last_accepted as last_accepted on last_accepted.agency = months.agency
    group by months.agency, months.period_month
)
select
    months.agency,
    months.period_month,
    months.feeds,
    months.files_received,
    months.files_on_time,
    months.files_accepted,
    months.files_rejected,
    months.files_quarantined,
    months.expectations_failed,
    months.warnings_failed,
    feed_months.feeds_scheduled,
    feed_months.feeds_on_time
from months
inner join feed_months using (agency, period_month);
