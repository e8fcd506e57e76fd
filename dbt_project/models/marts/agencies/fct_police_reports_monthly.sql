-- Polri reports (STM registrations and incidents) per month, kabupaten/kota, nationality and
-- report type, up to the reference date. Counts only: descriptions and passports stay in staging.

with

police_reports as (
    select * from {{ ref('stg_polri__police_reports') }}
),

counted as (
    select
        date_trunc('month', report_date)::date as report_month,
        region_code,
        province_code,
        country_code,
        coalesce(report_type, 'TIDAK_DIKETAHUI') as report_type,
        count(*) as report_count,
        count(*) filter (where person_key is not null) as linked_person_report_count
    from police_reports
    where report_date <= {{ as_of_date() }}
    group by 1, 2, 3, 4, 5
),

final as (
    select
        -- dates
        {{ as_of_date() }} as reference_date,
        report_month,

        -- strings
        region_code,
        province_code,
        country_code,
        report_type,

        -- numerics
        report_count,
        linked_person_report_count
    from counted
)

select * from final
