-- IZIN_SEGERA_BERAKHIR: the person's latest permit (greatest tanggal_berakhir), of any type (ITK
-- visit permits too), expires within its type's warning window (macro permit_expiry_warning_days,
-- var in dbt_project.yml; 30 days by default) of the reference date. A "current" finding: evaluated
-- as of the reference date; first_seen_date is the day the window opened, from the data alone.
-- finding_subtype is the permit type, so the briefing can group the many short visit permits.
-- Region: that permit's.

with

stay_permits as (
    select * from {{ ref('int_stay_permits_classified') }}
),

latest_permits as (
    select
        stay_permits.*,
        {{ permit_expiry_warning_days('stay_permits.permit_type') }} as warning_days,
        row_number() over (
            partition by stay_permits.person_key
            order by
                stay_permits.expiry_date desc nulls last,
                stay_permits.issued_date desc,
                stay_permits.permit_number desc
        ) as recency_rank
    from stay_permits
),

final as (
    select
        md5('IZIN_SEGERA_BERAKHIR|' || person_key) as finding_id,
        person_key,
        'IZIN_SEGERA_BERAKHIR' as finding_code,
        permit_type as finding_subtype,
        region_code,
        province_code,
        country_code,
        null::text as employer_name,
        format(
            'Izin tinggal %s berakhir %s (%s hari lagi) dan belum ada izin pengganti.',
            permit_type,
            to_char(expiry_date, 'YYYY-MM-DD'),
            expiry_date - {{ as_of_date() }}
        ) as detail,
        greatest(issued_date, expiry_date - warning_days) as first_seen_date,
        {{ as_of_date() }} as last_seen_date
    from latest_permits
    where
        recency_rank = 1
        and expiry_date between {{ as_of_date() }} and {{ as_of_date() }} + warning_days
)

select * from final
