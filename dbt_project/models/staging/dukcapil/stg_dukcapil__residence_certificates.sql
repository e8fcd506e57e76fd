-- Residence certificates (SKTT) from Dukcapil, accepted batches only, one row per SKTT number
-- (the latest accepted batch wins).

with

source as (
    select * from {{ source('dukcapil', 'dukcapil_sktt') }}
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
        {{ clean_text('accepted_rows.no_sktt') }} as sktt_number,
        {{ clean_text('accepted_rows.no_izin_tinggal') }} as stay_permit_number,
        accepted_rows._batch_id as batch_id,
        accepted_rows._source_file as source_file,
        accepted_rows._row_number as source_row_number,

        -- personal data (restricted)
        {{ clean_text('accepted_rows.nama') }} as holder_name,
        {{ normalise_passport('accepted_rows.no_paspor') }} as passport_norm,

        -- strings
        {{ clean_text('accepted_rows.kewarganegaraan') }} as country_raw,
        country_keys.country_code,
        {{ clean_text('accepted_rows.kabupaten_kota') }} as region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous,

        -- dates
        {{ parse_date('accepted_rows.tanggal_terbit') }} as issued_date,
        {{ parse_date('accepted_rows.berlaku_sampai') }} as valid_until_date,

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
        {{ recency_rank('upper(renamed.sktt_number)') }} as recency_rank
    from renamed
),

final as (
    select
        -- ids
        sktt_number,
        stay_permit_number,
        person_key,
        batch_id,
        source_file,
        source_row_number,

        -- personal data (restricted)
        holder_name,
        passport_norm,

        -- strings
        country_raw,
        country_code,
        region_raw,
        region_code,
        province_code,

        -- booleans
        is_region_ambiguous,

        -- dates
        issued_date,
        valid_until_date,

        -- timestamps
        batch_loaded_at
    from ranked
    where recency_rank = 1
)

select * from final
