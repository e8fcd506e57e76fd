-- Employers of foreign workers (Disnaker TKA records), one row per employer: names that differ
-- only by legal form, case or punctuation are one employer (macro normalise_employer_name).
-- Location, KBLI section and sector are the ones most of its records give. No personal data:
-- workers are only counted.

with

foreign_workers as (
    select * from {{ ref('stg_disnaker__foreign_workers') }}
),

kbli_sections as (
    select * from {{ ref('kbli_sections') }}
),

named as (
    select
        {{ normalise_employer_name('employer_name') }} as employer_name_key,
        employer_name,
        region_code,
        province_code,
        kbli_code,
        kbli_section_code,
        sector,
        start_date,
        end_date,
        coalesce(person_key, foreign_worker_id) as worker_key
    from foreign_workers
),

grouped as (
    select
        employer_name_key,
        mode() within group (order by employer_name) as employer_name,
        mode() within group (order by region_code) as region_code,
        mode() within group (order by province_code) as any_province_code,
        mode() within group (order by kbli_code) as kbli_code,
        mode() within group (order by kbli_section_code) as kbli_section_code,
        mode() within group (order by sector) as sector,
        count(distinct region_code) as region_count,
        count(distinct worker_key) as worker_count,
        count(distinct worker_key) filter (
            where start_date <= {{ as_of_date() }} and end_date >= {{ as_of_date() }}
        ) as active_worker_count,
        min(start_date) as first_start_date,
        max(end_date) as last_end_date
    from named
    where employer_name_key is not null
    group by employer_name_key
),

final as (
    select
        -- ids
        md5(grouped.employer_name_key) as employer_id,

        -- strings
        grouped.employer_name_key,
        grouped.employer_name,
        grouped.region_code,
        coalesce(
            case when grouped.region_code is not null then split_part(grouped.region_code, '.', 1) end,
            grouped.any_province_code
        ) as province_code,
        grouped.kbli_code,
        grouped.kbli_section_code,
        kbli_sections.name_id as kbli_section_name,
        grouped.sector,

        -- numerics
        grouped.region_count,
        grouped.worker_count,
        grouped.active_worker_count,

        -- dates
        grouped.first_start_date,
        grouped.last_end_date,
        {{ as_of_date() }} as reference_date
    from grouped
    left join kbli_sections
        on grouped.kbli_section_code = kbli_sections.section_code
)

select * from final
