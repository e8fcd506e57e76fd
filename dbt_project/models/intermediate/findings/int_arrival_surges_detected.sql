-- LONJAKAN_KEDATANGAN: every calendar week (Monday to Sunday) of lodging check-ins up to the
-- reference date is examined, each against its own trailing baseline, so a surge is found whenever
-- its data arrives (a July file loaded in October, a year's backlog loaded in one run). Per resolved
-- lodging region x nationality and week W: N = distinct persons checking in during W, S = sum of the
-- weekly distinct persons over the 12 weeks before W. A finding when N >= 10 and N >= 3 x S / 12
-- (4N >= S). One finding per region, nationality and week; first_seen_date is the week's Monday.
-- The week holding the reference date counts the days up to it. Only weeks with a full baseline are
-- examined: starting 12 weeks or more after the province's first lodging week (the data's start, not
-- the run's), so the first weeks of a new warehouse are not all "surges" against an empty past.

with

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
),

countries as (
    select * from {{ ref('countries') }}
),

province_data_starts as (
    select
        province_code,
        min(date_trunc('week', check_in_date)::date) as first_week_start_date
    from lodging_reports
    where person_key is not null and check_in_date <= {{ as_of_date() }}
    group by province_code
),

weekly as (
    select
        region_code,
        province_code,
        country_code,
        date_trunc('week', check_in_date)::date as week_start_date,
        count(distinct person_key) as person_count
    from lodging_reports
    where
        person_key is not null
        and region_code is not null
        and check_in_date <= {{ as_of_date() }}
    group by region_code, province_code, country_code, date_trunc('week', check_in_date)::date
),

compared as (
    select
        current_week.region_code,
        current_week.province_code,
        current_week.country_code,
        current_week.week_start_date,
        current_week.person_count as current_count,
        coalesce(sum(earlier_week.person_count), 0) as baseline_sum
    from weekly as current_week
    inner join province_data_starts
        on
        current_week.province_code = province_data_starts.province_code
        and current_week.week_start_date >= province_data_starts.first_week_start_date + 84
    left join weekly as earlier_week
        on
        current_week.region_code = earlier_week.region_code
        and current_week.country_code = earlier_week.country_code
        and earlier_week.week_start_date >= current_week.week_start_date - 84
        and current_week.week_start_date > earlier_week.week_start_date
    where current_week.person_count >= 10
    group by
        current_week.region_code,
        current_week.province_code,
        current_week.country_code,
        current_week.week_start_date,
        current_week.person_count
),

final as (
    select
        md5(
            'LONJAKAN_KEDATANGAN|' || compared.region_code || '|' || compared.country_code
            || '|' || to_char(compared.week_start_date, 'YYYY-MM-DD')
        ) as finding_id,
        null::text as person_key,
        'LONJAKAN_KEDATANGAN' as finding_code,
        compared.country_code as finding_subtype,
        compared.region_code,
        compared.province_code,
        compared.country_code,
        null::text as employer_name,
        format(
            'Kedatangan WNA %s di penginapan: %s orang dalam minggu %s s.d. %s, '
            || 'rata-rata %s orang per minggu dalam 12 minggu sebelumnya.',
            coalesce(countries.name_id, compared.country_code),
            compared.current_count,
            to_char(compared.week_start_date, 'YYYY-MM-DD'),
            to_char(compared.week_start_date + 6, 'YYYY-MM-DD'),
            round(compared.baseline_sum / 12.0, 1)
        ) as detail,
        compared.week_start_date as first_seen_date,
        least(compared.week_start_date + 6, {{ as_of_date() }}) as last_seen_date
    from compared
    left join countries
        on compared.country_code = countries.country_code
    where 4 * compared.current_count >= compared.baseline_sum
)

select * from final
