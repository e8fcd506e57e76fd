-- Foreign guests checking in (APOA lodging reports) per kabupaten/kota, nationality and week,
-- for the 13 weeks up to the reference date. Week 0 is the reference date and the 6 days before
-- it, the same buckets LONJAKAN_KEDATANGAN compares. A guest counts once per week (person key,
-- or the report itself when the passport or nationality did not normalise).

with

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
),

bucketed as (
    select
        region_code,
        province_code,
        country_code,
        coalesce(person_key, lodging_report_id) as guest_key,
        ({{ as_of_date() }} - check_in_date) / 7 as week_number
    from lodging_reports
    where
        check_in_date <= {{ as_of_date() }}
        and check_in_date > {{ as_of_date() }} - 91
),

counted as (
    select
        region_code,
        province_code,
        country_code,
        week_number,
        count(distinct guest_key) as arrival_count
    from bucketed
    group by region_code, province_code, country_code, week_number
),

final as (
    select
        -- dates
        {{ as_of_date() }} as reference_date,
        {{ as_of_date() }} - week_number * 7 - 6 as week_start_date,
        {{ as_of_date() }} - week_number * 7 as week_end_date,

        -- strings
        region_code,
        province_code,
        country_code,

        -- numerics
        week_number,
        arrival_count
    from counted
)

select * from final
