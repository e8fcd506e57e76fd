-- "On time": the one rule (docs/contracts.md, "Auditor views"). A feed is on time while no more
-- than its cadence has passed since its last accepted file, late until two cadences, then
-- missing; an ad-hoc feed (no cadence) is never late; a feed with no accepted file is missing.
-- `pantau status` (audit.feed_freshness), the briefing (as of its cut-off, over its region's files)
-- and audit.agency_scorecard all judge with this function.
create or replace function audit.freshness_status(
    cadence_days integer, last_accepted_at timestamptz, as_of timestamptz
) returns text
language sql immutable parallel safe
as $$
    select case
        when cadence_days is null then 'tepat waktu'
        when last_accepted_at is null then 'tidak ada'
        -- a file accepted after as_of (a replay of older files) is in the figures: on time
        when as_of - last_accepted_at <= make_interval(days => cadence_days) then 'tepat waktu'
        when as_of - last_accepted_at <= make_interval(days => 2 * cadence_days) then 'terlambat'
        else 'tidak ada'
    end
$$;

-- When each feed last had a file accepted (validated, else loaded).
create or replace view audit.feed_last_accepted as
select
    feeds.feed,
    feeds.agency,
    feeds.cadence_days,
    max(coalesce(ledger.validated_at, ledger.loaded_at, ledger.received_at)) as last_accepted_at
from audit.feeds as feeds
left join audit.load_ledger as ledger
    on ledger.feed = feeds.feed and ledger.status = 'accepted'
group by feeds.feed, feeds.agency, feeds.cadence_days;

-- Each registered feed now.
create or replace view audit.feed_freshness as
select
    feed,
    agency,
    cadence_days,
    last_accepted_at,
    audit.freshness_status(cadence_days, last_accepted_at, now()) as freshness_status
from audit.feed_last_accepted;
