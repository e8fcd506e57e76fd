-- LOKASI_BERBEDA: a person with a Disnaker record active on the reference date with a resolved
-- lokasi_kerja, and at least 3 sightings in the 90-day window (as_of - 90 < d <= as_of) in
-- resolved regions that are none of their active records' lokasi_kerja. Region: lokasi_kerja
-- of the active record (with a resolved region) with the latest tanggal_mulai.

with

active_workers as (
    select * from {{ ref('int_foreign_workers_filtered_to_active') }}
),

sightings as (
    select * from {{ ref('int_person_sightings_unioned') }}
),

home_regions as (
    select *
    from active_workers
    where region_code is not null
),

away_sightings as (
    select
        sightings.person_key,
        count(*) as away_count,
        count(distinct sightings.region_code) as away_region_count,
        min(sightings.sighting_date) as first_away_date,
        max(sightings.sighting_date) as last_away_date
    from sightings
    where
        sightings.region_code is not null
        and sightings.sighting_date > {{ as_of_date() }} - 90
        and sightings.person_key in (select home_regions.person_key from home_regions)
        and not exists (
            select 1
            from home_regions
            where
                home_regions.person_key = sightings.person_key
                and home_regions.region_code = sightings.region_code
        )
    group by sightings.person_key
    having count(*) >= 3
),

latest_home as (
    select
        home_regions.*,
        row_number() over (
            partition by home_regions.person_key
            order by home_regions.start_date desc, home_regions.foreign_worker_id desc
        ) as recency_rank
    from home_regions
),

final as (
    select
        md5('LOKASI_BERBEDA|' || latest_home.person_key) as finding_id,
        latest_home.person_key,
        'LOKASI_BERBEDA' as finding_code,
        null::text as finding_subtype,
        latest_home.region_code,
        latest_home.province_code,
        latest_home.country_code,
        latest_home.employer_name,
        format(
            'Lokasi kerja terdaftar %s, tetapi %s kali tercatat di %s kab/kota lain dalam 90 hari '
            || '(%s s.d. %s).',
            latest_home.region_code,
            away_sightings.away_count,
            away_sightings.away_region_count,
            to_char(away_sightings.first_away_date, 'YYYY-MM-DD'),
            to_char(away_sightings.last_away_date, 'YYYY-MM-DD')
        ) as detail,
        away_sightings.first_away_date as first_seen_date,
        away_sightings.last_away_date as last_seen_date
    from latest_home
    inner join away_sightings
        on latest_home.person_key = away_sightings.person_key
    where latest_home.recency_rank = 1
)

select * from final
