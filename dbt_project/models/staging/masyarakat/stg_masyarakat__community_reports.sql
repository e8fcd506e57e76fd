-- Community reports (tokoh masyarakat, camat, lurah) from the web form, accepted batches only,
-- one row per (time, kab/kota, kecamatan) (the latest accepted batch wins). The free-text
-- activity may describe people: it stays here, tagged pii.

with

source as (
    select * from {{ source('masyarakat', 'masyarakat_laporan') }}
),

region_keys as (
    select * from {{ ref('stg_reference__region_keys') }}
),

country_keys as (
    select * from {{ ref('stg_reference__country_keys') }}
),

kecamatan_keys as (
    select * from {{ ref('stg_reference__kecamatan_keys') }}
),

accepted_rows as (
    {{ accepted_rows('source') }}
),

renamed as (
    select
        -- ids
        md5(
            coalesce({{ clean_text('accepted_rows.waktu_laporan') }}, '') || '|'
            || coalesce({{ normalise_text_key('accepted_rows.kabupaten_kota') }}, '') || '|'
            || coalesce({{ normalise_text_key('accepted_rows.kecamatan') }}, '')
        ) as community_report_id,
        accepted_rows._batch_id as batch_id,
        accepted_rows._source_file as source_file,
        accepted_rows._row_number as source_row_number,

        -- personal data (restricted)
        {{ clean_text('accepted_rows.aktivitas') }} as activity,

        -- strings
        {{ clean_text('accepted_rows.pelapor_peran') }} as reporter_role,
        {{ clean_text('accepted_rows.kabupaten_kota') }} as region_raw,
        -- a kab/kota that is missing, ambiguous (bare "Serang") or only a province resolves through
        -- the kecamatan when its name is unique within the province
        case
            when region_keys.region_code like '%.%' then region_keys.region_code
            else coalesce(kecamatan_keys.region_code, region_keys.region_code)
        end as region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,
        {{ clean_text('accepted_rows.kecamatan') }} as district_name,
        {{ clean_text('accepted_rows.kewarganegaraan_dugaan') }} as suspected_country_raw,
        country_keys.country_code as suspected_country_code,

        -- numerics
        {{ parse_integer('accepted_rows.perkiraan_jumlah') }} as estimated_count,

        -- booleans
        (coalesce(region_keys.is_ambiguous, false) and kecamatan_keys.region_code is null)
            as is_region_ambiguous,

        -- dates
        {{ parse_date('accepted_rows.waktu_laporan') }} as reported_date,

        -- timestamps
        accepted_rows.batch_loaded_at
    from accepted_rows
    left join region_keys
        on region_keys.match_key = {{ normalise_text_key('accepted_rows.kabupaten_kota') }}
    left join country_keys
        on country_keys.match_key = {{ normalise_text_key('accepted_rows.kewarganegaraan_dugaan') }}
    left join kecamatan_keys
        on coalesce(region_keys.region_code, '') not like '%.%'
        and region_keys.province_code = kecamatan_keys.province_code
        and kecamatan_keys.match_key = {{ normalise_text_key('accepted_rows.kecamatan') }}
),

ranked as (
    select
        renamed.*,
        {{ recency_rank('renamed.community_report_id') }} as recency_rank
    from renamed
),

final as (
    select
        -- ids
        community_report_id,
        batch_id,
        source_file,
        source_row_number,

        -- personal data (restricted)
        activity,

        -- strings
        reporter_role,
        region_raw,
        region_code,
        province_code,
        district_name,
        suspected_country_raw,
        suspected_country_code,

        -- numerics
        estimated_count,

        -- booleans
        is_region_ambiguous,

        -- dates
        reported_date,

        -- timestamps
        batch_loaded_at
    from ranked
    where recency_rank = 1
)

select * from final
