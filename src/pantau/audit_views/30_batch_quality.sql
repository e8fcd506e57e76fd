-- Each batch's latest gate-1 run: how many checks ran, passed and failed, and which failed.
create or replace view audit.batch_quality as
select
    results.batch_id,
    results.run_id,
    max(results.validated_at) as checked_at,
    count(*) as checks_run,
    count(*) filter (where results.success) as checks_passed,
    count(*) filter (where not results.success and results.severity = 'blocking') as checks_failed_blocking,
    count(*) filter (where not results.success and results.severity = 'warning') as checks_failed_warning,
    array_agg(
        results.severity || ': '
        || coalesce(results.expectation_config ->> 'description', results.expectation)
        order by results.severity, results.result_id
    ) filter (where not results.success) as failed_checks
from audit.batch_latest_checks as results
group by results.batch_id, results.run_id;
