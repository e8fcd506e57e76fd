-- Each batch's latest gate-1 run: the run_id of its newest result (latest validated_at, then the
-- highest result_id when two runs share a timestamp). Every reader of "the checks of a batch"
-- (batch_quality, pantau status, the briefing) goes through this view: a batch revalidated by a
-- recovered run shows that run only, never a mix of runs.
create or replace view audit.batch_latest_run as
select distinct on (batch_id)
    batch_id,
    run_id,
    validated_at as checked_at
from audit.dq_results
where batch_id is not null
order by batch_id, validated_at desc, result_id desc;

-- Every result of each batch's latest run (one row per expectation).
create or replace view audit.batch_latest_checks as
select results.*
from audit.batch_latest_run as latest
inner join audit.dq_results as results
    on results.batch_id = latest.batch_id and results.run_id = latest.run_id;
