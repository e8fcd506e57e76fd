-- One row per (research notice, listed kab/kota): `lokasi` separates regions with ';'.

with

research_notices as (
    select * from {{ ref('stg_kesbangpol__research_notices') }}
),

region_keys as (
    select * from {{ ref('stg_reference__region_keys') }}
),

split_locations as (
    select
        research_notices.research_notice_id,
        research_notices.notice_number,
        research_notices.person_key,
        research_notices.country_code,
        research_notices.start_date,
        research_notices.end_date,
        {{ clean_text('notice_location.region_text') }} as region_raw,
        notice_location.location_index as location_number
    from research_notices
    cross join
        lateral unnest(string_to_array(research_notices.locations_raw, ';'))
        with ordinality as notice_location (region_text, location_index)
),

final as (
    select
        -- ids
        md5(split_locations.research_notice_id || '|' || split_locations.location_number::text)
            as research_location_id,
        split_locations.research_notice_id,
        split_locations.notice_number,
        split_locations.person_key,

        -- strings
        split_locations.country_code,
        split_locations.region_raw,
        region_keys.region_code,
        coalesce(region_keys.province_code, split_part(region_keys.region_code, '.', 1)) as province_code,

        -- numerics
        split_locations.location_number,

        -- booleans
        coalesce(region_keys.is_ambiguous, false) as is_region_ambiguous,

        -- dates
        split_locations.start_date,
        split_locations.end_date
    from split_locations
    left join region_keys
        on region_keys.match_key = {{ normalise_text_key('split_locations.region_raw') }}
    where split_locations.region_raw is not null
)

select * from final
