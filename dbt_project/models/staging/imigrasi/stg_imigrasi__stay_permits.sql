-- Stay permits (ITK/ITAS/ITAP) from Kantor Imigrasi, accepted batches only, one row per permit
-- number (the latest accepted batch wins). Names and passport numbers stay here (tagged pii)
-- for restricted case views; everything downstream uses person_key.

with

source as (
    select * from {{ source('imigrasi', 'imigrasi_izin_tinggal') }}
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
        {{ clean_text('accepted_rows.no_izin') }} as permit_number,
        accepted_rows._batch_id as batch_id,
        accepted_rows._source_file as source_file,
        accepted_rows._row_number as source_row_number,

        -- personal data (restricted)
        {{ clean_text('accepted_rows.nama') }} as person_name,
        {{ normalise_passport('accepted_rows.no_paspor') }} as passport_norm,
        {{ parse_date('accepted_rows.tanggal_lahir') }} as birth_date,

        -- strings
        {{ normalise_permit_type('accepted_rows.jenis_izin') }} as permit_type,
        {{ normalise_visa_index('accepted_rows.indeks_visa') }} as visa_index_code,
        {{ normalise_sex('accepted_rows.jenis_kelamin') }} as sex,
        {{ clean_text('accepted_rows.kewarganegaraan') }} as country_raw,
        country_keys.country_code,
        {{ clean_text('accepted_rows.kabupaten_kota') }} as region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous,
        {{ clean_text('accepted_rows.penjamin') }} as sponsor_name,
        {{ clean_text('accepted_rows.kantor_imigrasi') }} as immigration_office,

        -- dates
        {{ parse_date('accepted_rows.tanggal_terbit') }} as issued_date,
        {{ parse_date('accepted_rows.tanggal_berakhir') }} as expiry_date,

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
        {{ recency_rank('upper(renamed.permit_number)') }} as recency_rank
    from renamed
),

final as (
    select
        -- ids
        permit_number,
        person_key,
        batch_id,
        source_file,
        source_row_number,

        -- personal data (restricted)
        person_name,
        passport_norm,
        birth_date,

        -- strings
        permit_type,
        visa_index_code,
        sex,
        country_raw,
        country_code,
        region_raw,
        region_code,
        province_code,
        sponsor_name,
        immigration_office,

        -- booleans
        is_region_ambiguous,

        -- dates
        issued_date,
        expiry_date,

        -- timestamps
        batch_loaded_at
    from ranked
    where recency_rank = 1
)

select * from final
