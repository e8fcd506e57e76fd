-- Foreign workers (TKA) with a Disnaker record active on the reference date, by work location,
-- employer, KBLI section, sector and nationality. A worker counts once per group (person key, or
-- the record itself when the passport or nationality did not normalise).

with

foreign_workers as (
    select * from {{ ref('stg_disnaker__foreign_workers') }}
),

kbli_sections as (
    select * from {{ ref('kbli_sections') }}
),

active_records as (
    select *
    from foreign_workers
    where
        start_date <= {{ as_of_date() }}
        and end_date >= {{ as_of_date() }}
),

counted as (
    select
        region_code,
        province_code,
        employer_name,
        kbli_section_code,
        sector,
        country_code,
        count(distinct coalesce(person_key, foreign_worker_id)) as worker_count
    from active_records
    group by region_code, province_code, employer_name, kbli_section_code, sector, country_code
),

final as (
    select
        -- dates
        {{ as_of_date() }} as reference_date,

        -- strings
        counted.region_code,
        counted.province_code,
        counted.employer_name,
        counted.kbli_section_code,
        kbli_sections.name_id as kbli_section_name,
        counted.sector,
        counted.country_code,

        -- numerics
        counted.worker_count
    from counted
    left join kbli_sections
        on counted.kbli_section_code = kbli_sections.section_code
)

select * from final
