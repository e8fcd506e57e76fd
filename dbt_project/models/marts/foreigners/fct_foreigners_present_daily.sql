-- Foreigners present per day by kabupaten/kota, nationality and permit type, for the
-- presence_history_days up to the reference date. A person counts once a day:
--   - holding a stay permit valid that day: the most recently issued one gives region and
--     permit type (the rule of fct_foreigners_present, applied to every day);
--   - otherwise staying at a lodging that day (fct_lodging_stays): the lodging's region, the
--     permit type the report's visa index implies (TIDAK_DIKETAHUI when unknown).
-- Guests without a usable passport or nationality count per report.
--
-- Incremental (dbt_project.yml, delete+insert by presence_date): a run rebuilds only the days
-- that can have changed: new days up to the reference date, the days of stays changed since the
-- previous run (old and new version, fct_lodging_stays.changed_*), and the validity days of
-- permits whose history (snapshot snp_imigrasi__stay_permits) changed since then.

with

stay_permits as (
    select * from {{ ref('stg_imigrasi__stay_permits') }}
),

-- used by the incremental branch only (sqlfluff lints the full-refresh rendering)
permit_history as (  -- noqa: ST03
    select * from {{ ref('snp_imigrasi__stay_permits') }}
),

-- not materialized: each use must reach the table's indexes (updated_at, present_to_date)
lodging_stays as not materialized (
    select * from {{ ref('fct_lodging_stays') }}
),

window_days as (
    select
        ({{ as_of_date() }} - {{ var('presence_history_days') }} + 1)::date as first_day,
        ({{ as_of_date() }})::date as last_day
),

{% if is_incremental() %}

watermark as (
    select
        coalesce(max(stored.updated_at), '-infinity') as updated_at,
        max(stored.presence_date) as last_presence_date
    from {{ this }} as stored
),

changed_ranges as (
    -- days not built yet
    select
        greatest(window_days.first_day, coalesce(watermark.last_presence_date + 1, window_days.first_day)) as from_date,
        window_days.last_day as to_date
    from window_days
    cross join watermark

    union all

    -- stays written since the previous run: old and new days
    select
        lodging_stays.changed_from_date as from_date,
        lodging_stays.changed_to_date as to_date
    from lodging_stays
    where lodging_stays.updated_at > (select watermark.updated_at from watermark)

    union all

    -- permits whose recorded version changed: the days of the version closed and of the new one
    select
        permit_history.issued_date as from_date,
        permit_history.expiry_date as to_date
    from permit_history
    where
        permit_history.dbt_valid_from > (select watermark.updated_at from watermark)
        or permit_history.dbt_valid_to > (select watermark.updated_at from watermark)
),

distinct_ranges as (
    select distinct
        greatest(changed_ranges.from_date, window_days.first_day) as from_date,
        least(changed_ranges.to_date, window_days.last_day) as to_date
    from changed_ranges
    cross join window_days
    where changed_ranges.from_date <= window_days.last_day and changed_ranges.to_date >= window_days.first_day
),

days as (
    select distinct presence_day::date as presence_date
    from distinct_ranges
    cross join lateral generate_series(distinct_ranges.from_date, distinct_ranges.to_date, interval '1 day')
        as presence_day
    where distinct_ranges.from_date <= distinct_ranges.to_date
),

{% else %}

-- RF03 below: presence_day, generate_series' own column, stays unqualified beside qualified columns
days as (
    select presence_day::date as presence_date
    from window_days
    cross join lateral generate_series(
        window_days.first_day, window_days.last_day, interval '1 day'  -- noqa: RF03
    ) as presence_day
),

{% endif %}

day_bounds as (
    select
        min(days.presence_date) as first_day,
        max(days.presence_date) as last_day
    from days
),

permit_days as (
    select distinct on (days.presence_date, stay_permits.person_key)
        days.presence_date,
        stay_permits.person_key as guest_key,
        stay_permits.region_code,
        stay_permits.province_code,
        stay_permits.country_code,
        coalesce(stay_permits.permit_type, 'TIDAK_DIKETAHUI') as permit_type
    from days
    inner join stay_permits
        on days.presence_date >= stay_permits.issued_date
        and days.presence_date <= stay_permits.expiry_date
    where stay_permits.person_key is not null
    order by
        days.presence_date asc,
        stay_permits.person_key asc,
        stay_permits.issued_date desc,
        stay_permits.batch_loaded_at desc,
        stay_permits.permit_number desc
),

{% if is_incremental() %}

-- the stays present on each day being rebuilt: one index range scan per day (present_to_date),
-- so the cost depends on the days rebuilt, not on the years of stays before them
lodging_nights as (
    select
        days.presence_date,
        coalesce(lodging_stays.person_key, lodging_stays.lodging_report_key) as guest_key,
        lodging_stays.region_code,
        lodging_stays.province_code,
        lodging_stays.country_code,
        coalesce(lodging_stays.visa_permit_type, 'TIDAK_DIKETAHUI') as permit_type,
        lodging_stays.check_in_date,
        lodging_stays.lodging_report_key
    from days
    cross join lateral (
        select *
        from {{ ref('fct_lodging_stays') }} as stays
        where
            stays.present_to_date >= days.presence_date
            and stays.present_from_date <= days.presence_date
    ) as lodging_stays
),

{% else %}

-- the stays within the window, each knowing whether another stay of its guest shares one of its
-- days: in check-in order, an earlier stay not ended yet or the next one starting before it ends
stays_in_window as materialized (
    select
        coalesce(lodging_stays.person_key, lodging_stays.lodging_report_key) as guest_key,
        lodging_stays.region_code,
        lodging_stays.province_code,
        lodging_stays.country_code,
        coalesce(lodging_stays.visa_permit_type, 'TIDAK_DIKETAHUI') as permit_type,
        lodging_stays.check_in_date,
        lodging_stays.lodging_report_key,
        greatest(lodging_stays.present_from_date, (select day_bounds.first_day from day_bounds)) as from_date,
        least(lodging_stays.present_to_date, (select day_bounds.last_day from day_bounds)) as to_date,
        coalesce(
            max(lodging_stays.present_to_date) over (
                by_guest rows between unbounded preceding and 1 preceding
            ) >= lodging_stays.present_from_date
            or lead(lodging_stays.present_from_date) over by_guest <= lodging_stays.present_to_date,
            false
        ) as shares_day
    from lodging_stays
    where
        lodging_stays.present_to_date >= (select day_bounds.first_day from day_bounds)
        and lodging_stays.present_from_date <= (select day_bounds.last_day from day_bounds)
    window by_guest as (
        partition by coalesce(lodging_stays.person_key, lodging_stays.lodging_report_key)
        order by lodging_stays.present_from_date, lodging_stays.lodging_report_key
    )
),

-- the days of stays that share a day with another stay of their guest (a choice follows)
lodging_nights as (
    select
        presence_day::date as presence_date,
        stays_in_window.guest_key,  -- noqa: RF03
        stays_in_window.region_code,
        stays_in_window.province_code,
        stays_in_window.country_code,
        stays_in_window.permit_type,
        stays_in_window.check_in_date,
        stays_in_window.lodging_report_key
    from stays_in_window
    cross join
        lateral generate_series(
            stays_in_window.from_date, stays_in_window.to_date, interval '1 day'
        ) as presence_day
    where stays_in_window.shares_day
),

-- the days of every other stay: its guest's only stay on those days (most stays; nothing to sort)
single_stay_days as (
    select
        presence_day::date as presence_date,
        stays_in_window.guest_key,  -- noqa: RF03
        stays_in_window.region_code,
        stays_in_window.province_code,
        stays_in_window.country_code,
        stays_in_window.permit_type
    from stays_in_window
    cross join
        lateral generate_series(
            stays_in_window.from_date, stays_in_window.to_date, interval '1 day'
        ) as presence_day
    where not stays_in_window.shares_day
),

{% endif %}

-- a guest with several stays on a day counts once, in the stay checked in last (then the highest
-- report key); lodging_nights holds only days being built
chosen_lodging_days as (
    select distinct on (lodging_nights.presence_date, lodging_nights.guest_key)
        lodging_nights.presence_date,
        lodging_nights.guest_key,
        lodging_nights.region_code,
        lodging_nights.province_code,
        lodging_nights.country_code,
        lodging_nights.permit_type
    from lodging_nights
    order by
        lodging_nights.presence_date asc,
        lodging_nights.guest_key asc,
        lodging_nights.check_in_date desc,
        lodging_nights.lodging_report_key desc
),

lodging_days as (
    {%- if not is_incremental() %}
    select
        single_stay_days.presence_date,
        single_stay_days.guest_key,
        single_stay_days.region_code,
        single_stay_days.province_code,
        single_stay_days.country_code,
        single_stay_days.permit_type
    from single_stay_days

    union all
    {% endif %}
    select
        chosen_lodging_days.presence_date,
        chosen_lodging_days.guest_key,
        chosen_lodging_days.region_code,
        chosen_lodging_days.province_code,
        chosen_lodging_days.country_code,
        chosen_lodging_days.permit_type
    from chosen_lodging_days
),

present as (
    select
        permit_days.*,
        true as holds_permit
    from permit_days

    union all

    select
        lodging_days.*,
        false as holds_permit
    from lodging_days
    where not exists (
        select 1
        from permit_days
        where
            permit_days.presence_date = lodging_days.presence_date
            and permit_days.guest_key = lodging_days.guest_key
    )
),

counted as (
    select
        presence_date,
        region_code,
        province_code,
        country_code,
        permit_type,
        count(*) as foreigner_count,
        count(*) filter (where holds_permit) as permit_holder_count,
        count(*) filter (where not holds_permit) as lodging_guest_count
    from present
    group by presence_date, region_code, province_code, country_code, permit_type
),

final as (
    select
        -- dates
        presence_date,

        -- strings
        region_code,
        province_code,
        country_code,
        permit_type,

        -- numerics
        foreigner_count,
        permit_holder_count,
        lodging_guest_count,

        -- timestamps
        now() as updated_at
    from counted
)

select * from final
