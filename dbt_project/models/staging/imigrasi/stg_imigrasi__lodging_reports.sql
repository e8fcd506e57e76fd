-- APOA lodging reports of foreign guests, accepted batches only, one row per report id (the
-- latest accepted batch wins). Guest names and passport numbers stay here (tagged pii).
--
-- Incremental (dbt_project.yml): years of daily reports pile up here, so a run parses only the
-- batches accepted since the previous run. Their reports are ranked together with the stored
-- rows of the same report ids (late-arriving reports and corrections: the latest batch still
-- wins, also when an older batch is accepted late), and delete+insert replaces those ids.
-- A batch counts as new when it is not stored yet and was accepted at most an hour before the
-- newest stored batch (a gate-1 transaction that committed while dbt ran is not missed).

with

source as (
    select * from {{ source('imigrasi', 'imigrasi_apoa') }}
),

region_keys as (
    select * from {{ ref('stg_reference__region_keys') }}
),

country_keys as (
    select * from {{ ref('stg_reference__country_keys') }}
),

-- not materialized: the distinct texts below read it again rather than a stored copy of every row
accepted_rows as not materialized (
    {%- if is_incremental() %}
    {{ accepted_rows('source', batch_condition=
        "coalesce(load_ledger.validated_at, load_ledger.loaded_at, load_ledger.received_at) > "
        ~ "(select coalesce(max(stored.batch_accepted_at), '-infinity') - interval '1 hour' from "
        ~ this ~ " as stored) and not exists (select 1 from " ~ this
        ~ " as stored where stored.batch_id = load_ledger.batch_id)") }}
    {%- else %}
    {{ accepted_rows('source') }}
    {%- endif %}
),

-- Dates, regions and nationalities repeat across millions of reports: each distinct text of the
-- run is read once (by the same date function and key tables) and joined back by its text.
date_texts as (
    {{ distinct_parsed_dates('accepted_rows', ['tanggal_lahir', 'tanggal_masuk', 'tanggal_keluar']) }}
),

region_texts as (
    select
        distinct_texts.region_text,
        {{ clean_text('distinct_texts.region_text') }} as region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous
    from (select distinct accepted_rows.kabupaten_kota as region_text from accepted_rows) as distinct_texts
    left join region_keys
        on region_keys.match_key = {{ normalise_text_key('distinct_texts.region_text') }}
),

country_texts as (
    select
        distinct_texts.country_text,
        {{ clean_text('distinct_texts.country_text') }} as country_raw,
        country_keys.country_code
    from (select distinct accepted_rows.kewarganegaraan as country_text from accepted_rows) as distinct_texts
    left join country_keys
        on country_keys.match_key = {{ normalise_text_key('distinct_texts.country_text') }}
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
        birth_dates.parsed_date as birth_date,

        -- strings
        {{ clean_text('accepted_rows.nama_penginapan') }} as lodging_name,
        {{ normalise_sex('accepted_rows.jenis_kelamin') }} as sex,
        {{ normalise_code('accepted_rows.tujuan_kunjungan') }} as visit_purpose,
        {{ normalise_visa_index('accepted_rows.indeks_visa') }} as visa_index_code,
        country_texts.country_raw,
        country_texts.country_code,
        region_texts.region_raw,
        region_texts.region_code,
        region_texts.province_code,
        coalesce(region_texts.is_region_ambiguous, false) as is_region_ambiguous,

        -- dates
        check_in_dates.parsed_date as check_in_date,
        check_out_dates.parsed_date as check_out_date,

        -- timestamps
        accepted_rows.batch_loaded_at,
        accepted_rows.batch_accepted_at
    from accepted_rows
    -- a NULL text matches no row: NULL, as the date function and the key tables read it
    left join date_texts as birth_dates
        on accepted_rows.tanggal_lahir = birth_dates.date_text
    left join date_texts as check_in_dates
        on accepted_rows.tanggal_masuk = check_in_dates.date_text
    left join date_texts as check_out_dates
        on accepted_rows.tanggal_keluar = check_out_dates.date_text
    left join region_texts
        on accepted_rows.kabupaten_kota = region_texts.region_text
    left join country_texts
        on accepted_rows.kewarganegaraan = country_texts.country_text
),

parsed as (
    select
        -- ids
        coalesce(upper(lodging_report_id), batch_id || ':' || source_row_number::text) as lodging_report_key,
        lodging_report_id,
        {{ person_key('passport_norm', 'country_code') }} as person_key,
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
        batch_loaded_at,
        batch_accepted_at,
        now() as staged_at
    from renamed
),

candidates as (
    select * from parsed
    {%- if is_incremental() %}

    union all

    -- the stored versions of the reports this run touches compete with the new ones
    select
        stored.lodging_report_key,
        stored.lodging_report_id,
        stored.person_key,
        stored.batch_id,
        stored.source_file,
        stored.source_row_number,
        stored.guest_name,
        stored.passport_norm,
        stored.birth_date,
        stored.lodging_name,
        stored.sex,
        stored.visit_purpose,
        stored.visa_index_code,
        stored.country_raw,
        stored.country_code,
        stored.region_raw,
        stored.region_code,
        stored.province_code,
        stored.is_region_ambiguous,
        stored.check_in_date,
        stored.check_out_date,
        stored.batch_loaded_at,
        stored.batch_accepted_at,
        stored.staged_at
    from {{ this }} as stored
    -- = any(array(...)): one index probe per new report, never a scan of the stored history
    where stored.lodging_report_key = any(array(select parsed.lodging_report_key from parsed))
    {%- endif %}
),

ranked as (
    select
        candidates.*,
        row_number() over (
            partition by candidates.lodging_report_key
            order by
                candidates.batch_loaded_at desc nulls last,
                candidates.batch_id desc,
                candidates.source_row_number desc
        ) as recency_rank
    from candidates
),

final as (
    select
        -- ids
        lodging_report_key,
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
        batch_loaded_at,
        batch_accepted_at,
        staged_at
    from ranked
    where recency_rank = 1
)

select * from final
