-- LAPORAN_MASYARAKAT_TIDAK_COCOK: a community report (resolved region, date d <= as_of) with no
-- agency record in that region of the suspected nationality (any nationality when none or an
-- unknown one is given) among: stay permits valid on d, lodging check-ins in [d-30, d], Disnaker
-- records active on d, police records in [d-30, d].

with

community_reports as (
    select * from {{ ref('stg_masyarakat__community_reports') }}
),

stay_permits as (
    select * from {{ ref('stg_imigrasi__stay_permits') }}
),

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
),

foreign_workers as (
    select * from {{ ref('stg_disnaker__foreign_workers') }}
),

police_reports as (
    select * from {{ ref('stg_polri__police_reports') }}
),

countries as (
    select * from {{ ref('countries') }}
),

-- Every agency record as (region, nationality, first day, last day it vouches for).
agency_presence as (
    -- a permit's nationality counts only when the holder is linked (passport and nationality)
    select
        region_code,
        case when person_key is not null then country_code end as country_code,
        issued_date as from_date,
        expiry_date as to_date,
        0 as lookback_days
    from stay_permits

    union all

    select
        region_code,
        country_code,
        check_in_date as from_date,
        check_in_date as to_date,
        30 as lookback_days
    from lodging_reports

    union all

    select
        region_code,
        country_code,
        start_date as from_date,
        end_date as to_date,
        0 as lookback_days
    from foreign_workers

    union all

    select
        region_code,
        country_code,
        report_date as from_date,
        report_date as to_date,
        30 as lookback_days
    from police_reports
),

reports as (
    select *
    from community_reports
    where
        region_code is not null
        and reported_date <= {{ as_of_date() }}
),

unmatched as (
    select reports.*
    from reports
    where not exists (
        select 1
        from agency_presence
        where
            agency_presence.region_code = reports.region_code
            and (
                reports.suspected_country_code is null
                or agency_presence.country_code = reports.suspected_country_code
            )
            and agency_presence.from_date <= reports.reported_date
            and agency_presence.to_date >= reports.reported_date - agency_presence.lookback_days
    )
),

final as (
    select
        md5('LAPORAN_MASYARAKAT_TIDAK_COCOK|' || unmatched.community_report_id) as finding_id,
        null::text as person_key,
        'LAPORAN_MASYARAKAT_TIDAK_COCOK' as finding_code,
        null::text as finding_subtype,
        unmatched.region_code,
        unmatched.province_code,
        unmatched.suspected_country_code as country_code,
        null::text as employer_name,
        format(
            'Laporan masyarakat %s (%s, kecamatan %s): perkiraan %s WNA %s, tanpa catatan instansi '
            || 'di kab/kota ini pada %s s.d. %s.',
            to_char(unmatched.reported_date, 'YYYY-MM-DD'),
            coalesce(unmatched.reporter_role, 'pelapor'),
            coalesce(unmatched.district_name, '-'),
            coalesce(unmatched.estimated_count::text, '?'),
            coalesce(countries.name_id, 'kewarganegaraan tidak disebut'),
            to_char(unmatched.reported_date - 30, 'YYYY-MM-DD'),
            to_char(unmatched.reported_date, 'YYYY-MM-DD')
        ) as detail,
        unmatched.reported_date as first_seen_date,
        unmatched.reported_date as last_seen_date
    from unmatched
    left join countries
        on unmatched.suspected_country_code = countries.country_code
)

select * from final
