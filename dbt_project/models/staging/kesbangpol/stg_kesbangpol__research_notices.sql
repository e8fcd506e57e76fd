-- Research notifications for foreign researchers from Kesbangpol, accepted batches only, one row
-- per letter number and researcher's passport (the latest accepted batch wins): one letter may
-- notify a whole research team, and letter numbers are only unique within one Kesbangpol office.
-- `lokasi` may list several kab/kota; they are resolved one by one in
-- stg_kesbangpol__research_locations.

with

source as (
    select * from {{ source('kesbangpol', 'kesbangpol_penelitian') }}
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
        {{ clean_text('accepted_rows.no_surat') }} as notice_number,
        {{ clean_text('accepted_rows.no_izin_brin') }} as brin_permit_number,
        accepted_rows._batch_id as batch_id,
        accepted_rows._source_file as source_file,
        accepted_rows._row_number as source_row_number,

        -- personal data (restricted)
        {{ clean_text('accepted_rows.nama_peneliti') }} as researcher_name,
        {{ normalise_passport('accepted_rows.no_paspor') }} as passport_norm,

        -- strings
        {{ clean_text('accepted_rows.kewarganegaraan') }} as country_raw,
        country_keys.country_code,
        {{ clean_text('accepted_rows.institusi') }} as institution,
        {{ clean_text('accepted_rows.judul_penelitian') }} as research_title,
        {{ clean_text('accepted_rows.lokasi') }} as locations_raw,

        -- dates
        {{ parse_date('accepted_rows.tanggal_mulai') }} as start_date,
        {{ parse_date('accepted_rows.tanggal_selesai') }} as end_date,

        -- timestamps
        accepted_rows.batch_loaded_at
    from accepted_rows
    left join country_keys
        on country_keys.match_key = {{ normalise_text_key('accepted_rows.kewarganegaraan') }}
),

ranked as (
    select
        renamed.*,
        {{ person_key('renamed.passport_norm', 'renamed.country_code') }} as person_key,
        {{ recency_rank("upper(renamed.notice_number) || '|' || coalesce(renamed.passport_norm, '')") }}
            as recency_rank
    from renamed
),

final as (
    select
        -- ids
        md5(coalesce(upper(notice_number), '') || '|' || coalesce(passport_norm, '')) as research_notice_id,
        notice_number,
        brin_permit_number,
        person_key,
        batch_id,
        source_file,
        source_row_number,

        -- personal data (restricted)
        researcher_name,
        passport_norm,

        -- strings
        country_raw,
        country_code,
        institution,
        research_title,
        locations_raw,

        -- booleans
        brin_permit_number is not null as has_brin_permit,

        -- dates
        start_date,
        end_date,

        -- timestamps
        batch_loaded_at
    from ranked
    where recency_rank = 1
)

select * from final
