-- Each batch's latest gate-1 run: the run_id of its newest result (latest validated_at, then the
-- highest result_id when two runs share a timestamp). Every reader of "the checks of a batch"
-- (batch_quality, pantau status, the briefing) goes through this view: a batch revalidated by a
-- recovered run shows that run only, never a mix of runs. One index look-up per batch (lateral),
-- so a filter on batch_id or on the ledger reaches the ledger scan.
create or replace view audit.batch_latest_run as
select
    ledger.batch_id,
    latest.run_id,
    latest.validated_at as checked_at
from audit.load_ledger as ledger
cross join lateral (
    select results.run_id, results.validated_at
    from audit.dq_results as results
    where results.batch_id = ledger.batch_id
    order by results.validated_at desc, results.result_id desc
    limit 1
) as latest;

-- Every result of each batch's latest run (one row per expectation).
create or replace view audit.batch_latest_checks as
select results.*
from audit.batch_latest_run as latest
inner join audit.dq_results as results
    on results.batch_id = latest.batch_id and results.run_id = latest.run_id;
