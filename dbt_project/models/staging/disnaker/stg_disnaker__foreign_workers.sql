-- Foreign workers (TKA) with an approved RPTKA from Disnakertrans, accepted batches only, one row
-- per RPTKA number and passport (the latest accepted batch wins).

with

source as (
    select * from {{ source('disnaker', 'disnaker_tka') }}
),

region_keys as (
    select * from {{ ref('stg_reference__region_keys') }}
),

country_keys as (
    select * from {{ ref('stg_reference__country_keys') }}
),

kbli_sections as (
    select * from {{ ref('kbli_sections') }}
),

accepted_rows as (
    {{ accepted_rows('source') }}
),

renamed as (
    select
        -- ids
        {{ clean_text('accepted_rows.no_rptka') }} as rptka_number,
        accepted_rows._batch_id as batch_id,
        accepted_rows._source_file as source_file,
        accepted_rows._row_number as source_row_number,

        -- personal data (restricted)
        {{ clean_text('accepted_rows.nama_tka') }} as worker_name,
        {{ normalise_passport('accepted_rows.no_paspor') }} as passport_norm,

        -- strings
        {{ clean_text('accepted_rows.nama_perusahaan') }} as employer_name,
        nullif(regexp_replace(accepted_rows.kbli, '[^0-9]+', '', 'g'), '') as kbli_code,
        {{ normalise_code('accepted_rows.sektor') }} as sector,
        {{ clean_text('accepted_rows.jabatan') }} as job_title,
        {{ normalise_code('accepted_rows.status') }} as rptka_status,
        {{ clean_text('accepted_rows.kewarganegaraan') }} as country_raw,
        country_keys.country_code,
        {{ clean_text('accepted_rows.lokasi_kerja') }} as region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous,

        -- dates
        {{ parse_date('accepted_rows.tanggal_mulai') }} as start_date,
        {{ parse_date('accepted_rows.tanggal_selesai') }} as end_date,

        -- timestamps
        accepted_rows.batch_loaded_at
    from accepted_rows
    left join region_keys
        on region_keys.match_key = {{ normalise_text_key('accepted_rows.lokasi_kerja') }}
    left join country_keys
        on country_keys.match_key = {{ normalise_text_key('accepted_rows.kewarganegaraan') }}
),

ranked as (
    select
        renamed.*,
        kbli_sections.section_code as kbli_section_code,
        {{ person_key('renamed.passport_norm', 'renamed.country_code') }} as person_key,
        {{ recency_rank("upper(renamed.rptka_number) || '|' || renamed.passport_norm") }} as recency_rank
    from renamed
    left join kbli_sections
        on left(renamed.kbli_code, 2) between kbli_sections.division_from and kbli_sections.division_to
),

final as (
    select
        -- ids
        md5(coalesce(upper(rptka_number), '') || '|' || coalesce(passport_norm, '')) as foreign_worker_id,
        rptka_number,
        person_key,
        batch_id,
        source_file,
        source_row_number,

        -- personal data (restricted)
        worker_name,
        passport_norm,

        -- strings
        employer_name,
        kbli_code,
        kbli_section_code,
        sector,
        job_title,
        rptka_status,
        country_raw,
        country_code,
        region_raw,
        region_code,
        province_code,

        -- booleans
        is_region_ambiguous,

        -- dates
        start_date,
        end_date,

        -- timestamps
        batch_loaded_at
    from ranked
    where recency_rank = 1
)

select * from final
