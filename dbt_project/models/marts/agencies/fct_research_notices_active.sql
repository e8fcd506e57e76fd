-- Foreign research notified to Kesbangpol and active on the reference date, by kabupaten/kota
-- (a notice listing several counts in each) and researcher nationality. Counts only.

with

research_locations as (
    select * from {{ ref('stg_kesbangpol__research_locations') }}
),

research_notices as (
    select * from {{ ref('stg_kesbangpol__research_notices') }}
),

active_locations as (
    select
        research_locations.region_code,
        research_locations.province_code,
        research_locations.country_code,
        research_locations.research_notice_id,
        coalesce(research_locations.person_key, research_locations.research_notice_id) as researcher_key,
        research_notices.has_brin_permit
    from research_locations
    inner join research_notices
        on research_locations.research_notice_id = research_notices.research_notice_id
    where
        research_locations.start_date <= {{ as_of_date() }}
        and research_locations.end_date >= {{ as_of_date() }}
),

counted as (
    select
        region_code,
        province_code,
        country_code,
        count(distinct research_notice_id) as active_notice_count,
        count(distinct researcher_key) as researcher_count,
        count(distinct research_notice_id) filter (where not has_brin_permit) as without_brin_permit_count
    from active_locations
    group by region_code, province_code, country_code
),

final as (
    select
        -- dates
        {{ as_of_date() }} as reference_date,

        -- strings
        region_code,
        province_code,
        country_code,

        -- numerics
        active_notice_count,
        researcher_count,
        without_brin_permit_count
    from counted
)

select * from final
