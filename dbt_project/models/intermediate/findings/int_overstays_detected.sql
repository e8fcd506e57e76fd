-- OVERSTAY (docs/contracts.md): one finding per person who, on or before the reference date,
-- appears in a lodging report or police record dated after the latest expiry of all their stay
-- permits. Persons without any stay permit are not OVERSTAY. Region = region of the latest such
-- record; first/last seen = earliest/latest such record.

with

person_permits as (
    select * from {{ ref('int_stay_permits_aggregated_to_persons') }}
),

sightings as (
    select * from {{ ref('int_person_sightings_unioned') }}
),

late_sightings as (
    select
        sightings.*,
        person_permits.latest_expiry_date,
        person_permits.country_code
    from sightings
    inner join person_permits
        on sightings.person_key = person_permits.person_key
    where sightings.sighting_date > person_permits.latest_expiry_date
),

per_person as (
    select
        person_key,
        min(country_code) as country_code,
        min(latest_expiry_date) as latest_expiry_date,
        count(*) as late_record_count,
        min(sighting_date) as first_seen_date,
        max(sighting_date) as last_seen_date,
        (array_agg(region_code order by sighting_date desc, sighting_source asc, record_id desc))[1]
            as region_code,
        (array_agg(province_code order by sighting_date desc, sighting_source asc, record_id desc))[1]
            as province_code
    from late_sightings
    group by person_key
),

final as (
    select
        -- ids
        md5('OVERSTAY|' || person_key) as finding_id,
        person_key,

        -- strings
        'OVERSTAY' as finding_code,
        null::text as finding_subtype,
        region_code,
        province_code,
        country_code,
        null::text as employer_name,
        format(
            'Tercatat %s kali di laporan penginapan/kepolisian setelah izin tinggal berakhir %s; '
            || 'terakhir %s (%s hari setelah berakhir).',
            late_record_count,
            to_char(latest_expiry_date, 'YYYY-MM-DD'),
            to_char(last_seen_date, 'YYYY-MM-DD'),
            last_seen_date - latest_expiry_date
        ) as detail,

        -- numerics
        late_record_count,

        -- dates
        latest_expiry_date,
        first_seen_date,
        last_seen_date
    from per_person
)

select * from final
