-- APOA lodging reports of foreign guests, accepted batches only, one row per report id (the
-- latest accepted batch wins). Guest names and passport numbers stay here (tagged pii).

with

source as (
    select * from {{ source('imigrasi', 'imigrasi_apoa') }}
),

load_ledger as (
    select * from {{ source('audit', 'load_ledger') }}
),

region_keys as (
    select * from {{ ref('stg_reference__region_keys') }}
),

country_keys as (
    select * from {{ ref('stg_reference__country_keys') }}
),

accepted_rows as (
    select
        source.*,
        coalesce(load_ledger.loaded_at, load_ledger.received_at) as batch_loaded_at
    from source
    inner join load_ledger
        on source._batch_id = load_ledger.batch_id
    where load_ledger.status = 'accepted'
),

renamed as (
    select
        -- ids
        {{ clean_text('accepted_rows.id_laporan') }} as lodging_report_id,
        accepted_rows._batch_id as batch_id,
        accepted_rows._source_file as source_file,
        accepted_rows._row_number as source_row_number,

        -- personal data (restricted)
        {{ clean_text('accepted_rows.nama_tamu') }} as guest_name,
        {{ normalise_passport('accepted_rows.no_paspor') }} as passport_norm,
        {{ parse_date('accepted_rows.tanggal_lahir') }} as birth_date,

        -- strings
        {{ clean_text('accepted_rows.nama_penginapan') }} as lodging_name,
        {{ normalise_sex('accepted_rows.jenis_kelamin') }} as sex,
        {{ normalise_code('accepted_rows.tujuan_kunjungan') }} as visit_purpose,
        {{ normalise_visa_index('accepted_rows.indeks_visa') }} as visa_index_code,
        {{ clean_text('accepted_rows.kewarganegaraan') }} as country_raw,
        country_keys.country_code,
        {{ clean_text('accepted_rows.kabupaten_kota') }} as region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous,

        -- dates
        {{ parse_date('accepted_rows.tanggal_masuk') }} as check_in_date,
        {{ parse_date('accepted_rows.tanggal_keluar') }} as check_out_date,

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
        {{ recency_rank('upper(renamed.lodging_report_id)') }} as recency_rank
    from renamed
),

final as (
    select
        -- ids
        lodging_report_id,
        person_key,
        batch_id,
        source_file,
        source_row_number,

        -- personal data (restricted)
        guest_name,
        passport_norm,
        birth_date,

        -- strings
        lodging_name,
        sex,
        visit_purpose,
        visa_index_code,
        country_raw,
        country_code,
        region_raw,
        region_code,
        province_code,

        -- booleans
        is_region_ambiguous,

        -- dates
        check_in_date,
        check_out_date,

        -- timestamps
        batch_loaded_at
    from ranked
    where recency_rank = 1
)

select * from final
