-- Disnaker foreign-worker records of linked persons that are active on the reference date
-- (tanggal_mulai <= as_of <= tanggal_selesai).

with

foreign_workers as (
    select * from {{ ref('stg_disnaker__foreign_workers') }}
),

final as (
    select
        -- ids
        foreign_worker_id,
        rptka_number,
        person_key,

        -- strings
        employer_name,
        kbli_code,
        kbli_section_code,
        sector,
        job_title,
        rptka_status,
        country_code,
        region_code,
        province_code,

        -- dates
        start_date,
        end_date
    from foreign_workers
    where
        person_key is not null
        and start_date <= {{ as_of_date() }}
        and end_date >= {{ as_of_date() }}
)

select * from final
