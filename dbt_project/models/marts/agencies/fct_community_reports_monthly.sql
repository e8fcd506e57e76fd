-- Community reports (laporan masyarakat) per month, kabupaten/kota and suspected nationality, up
-- to the reference date: how many reports and how many people they estimate. Reporters are not
-- identified; the free-text activity stays in staging.

with

community_reports as (
    select * from {{ ref('stg_masyarakat__community_reports') }}
),

counted as (
    select
        date_trunc('month', reported_date)::date as report_month,
        region_code,
        province_code,
        suspected_country_code,
        count(*) as report_count,
        coalesce(sum(estimated_count), 0) as estimated_person_count,
        count(*) filter (where estimated_count is null) as without_estimate_count
    from community_reports
    where reported_date <= {{ as_of_date() }}
    group by 1, 2, 3, 4
),

final as (
    select
        -- dates
        {{ as_of_date() }} as reference_date,
        report_month,

        -- strings
        region_code,
        province_code,
        suspected_country_code,

        -- numerics
        report_count,
        estimated_person_count,
        without_estimate_count
    from counted
)

select * from final
