-- Police registrations (STM) and incidents from Polri (Intelkam), accepted batches only, one row
-- per report number (the latest accepted batch wins). The passport may be empty: person_key is
-- then NULL. The free-text description (uraian) may name people: it stays here, tagged pii.

with

source as (
    select * from {{ source('polri', 'polri_laporan') }}
),

region_keys as (
    select * from {{ ref('stg_reference__region_keys') }}
),

country_keys as (
    select * from {{ ref('stg_reference__country_keys') }}
),

accepted_rows as (
    {{ accepted_rows('source') }}
),

renamed as (
    select
        -- ids
        {{ clean_text('accepted_rows.no_laporan') }} as police_report_number,
        accepted_rows._batch_id as batch_id,
        accepted_rows._source_file as source_file,
        accepted_rows._row_number as source_row_number,

        -- personal data (restricted)
        {{ normalise_passport('accepted_rows.no_paspor') }} as passport_norm,
        {{ clean_text('accepted_rows.uraian') }} as description,

        -- strings
        {{ normalise_code('accepted_rows.jenis') }} as report_type,
        {{ clean_text('accepted_rows.kewarganegaraan') }} as country_raw,
        country_keys.country_code,
        {{ clean_text('accepted_rows.kabupaten_kota') }} as region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous,

        -- dates
        {{ parse_date('accepted_rows.tanggal') }} as report_date,

        -- timestamps
        accepted_rows.batch_loaded_at
    from accepted_rows
    left join region_keys
        on region_keys.match_key = {{ normalise_text_key('accepted_rows.kabupaten_kota') }}
    left join country_keys
        on country_keys.match_key = {{ normalise_text_key('accepted_rows.kewarganegaraan') }}
),

ranked as (
    select
        renamed.*,
        {{ person_key('renamed.passport_norm', 'renamed.country_code') }} as person_key,
        {{ recency_rank('upper(renamed.police_report_number)') }} as recency_rank
    from renamed
),

final as (
    select
        -- ids
        police_report_number,
        person_key,
        batch_id,
        source_file,
        source_row_number,

        -- personal data (restricted)
        passport_norm,
        description,

        -- strings
        report_type,
        country_raw,
        country_code,
        region_raw,
        region_code,
        province_code,

        -- booleans
        is_region_ambiguous,

        -- dates
        report_date,

        -- timestamps
        batch_loaded_at
    from ranked
    where recency_rank = 1
)

select * from final
