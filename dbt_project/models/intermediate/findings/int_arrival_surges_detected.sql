-- LONJAKAN_KEDATANGAN: per resolved lodging region x nationality, week bucket
-- k = (as_of - tanggal_masuk) / 7; N = distinct persons in week 0 (as_of-6 .. as_of), S = sum of
-- distinct persons over weeks 1..12. A finding when N >= 10 and N >= 3 x S / 12 (4N >= S).

with

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
),

countries as (
    select * from {{ ref('countries') }}
),

bucketed as (
    select
        region_code,
        province_code,
        country_code,
        person_key,
        ({{ as_of_date() }} - check_in_date) / 7 as week_number
    from lodging_reports
    where
        person_key is not null
        and region_code is not null
        and check_in_date <= {{ as_of_date() }}
        and ({{ as_of_date() }} - check_in_date) / 7 <= 12
),

weekly as (
    select
        region_code,
        province_code,
        country_code,
        week_number,
        count(distinct person_key) as person_count
    from bucketed
    group by region_code, province_code, country_code, week_number
),

compared as (
    select
        region_code,
        province_code,
        country_code,
        coalesce(sum(person_count) filter (where week_number = 0), 0) as current_count,
        coalesce(sum(person_count) filter (where week_number between 1 and 12), 0) as baseline_sum
    from weekly
    group by region_code, province_code, country_code
),

final as (
    select
        md5('LONJAKAN_KEDATANGAN|' || compared.region_code || '|' || compared.country_code) as finding_id,
        null::text as person_key,
        'LONJAKAN_KEDATANGAN' as finding_code,
        compared.region_code,
        compared.province_code,
        compared.country_code,
        null::text as employer_name,
        format(
            'Kedatangan WNA %s di penginapan: %s orang dalam 7 hari (%s s.d. %s), '
            || 'rata-rata %s orang per minggu dalam 12 minggu sebelumnya.',
            coalesce(countries.name_id, compared.country_code),
            compared.current_count,
            to_char({{ as_of_date() }} - 6, 'YYYY-MM-DD'),
            to_char({{ as_of_date() }}, 'YYYY-MM-DD'),
            round(compared.baseline_sum / 12.0, 1)
        ) as detail,
        {{ as_of_date() }} - 6 as first_seen_date,
        {{ as_of_date() }} as last_seen_date
    from compared
    left join countries
        on compared.country_code = countries.country_code
    where
        compared.current_count >= 10
        and 4 * compared.current_count >= compared.baseline_sum
)

select * from final
