-- IZIN_SEGERA_BERAKHIR: the person's latest permit (greatest tanggal_berakhir) is an ITAS or ITAP
-- expiring within permit_expiry_warning_days (30) of the reference date. ITK visit permits are
-- not reported. Region: that permit's.

with

stay_permits as (
    select * from {{ ref('int_stay_permits_classified') }}
),

latest_permits as (
    select
        stay_permits.*,
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
        region_code,
        province_code,
        'Kantor Imigrasi' as responsible_agency,
        'rendah' as severity,
        country_code,
        null::text as employer_name,
        format(
            'Izin tinggal %s berakhir %s (%s hari lagi) dan belum ada izin pengganti.',
            permit_type,
            to_char(expiry_date, 'YYYY-MM-DD'),
            expiry_date - {{ as_of_date() }}
        ) as detail,
        greatest(issued_date, expiry_date - {{ var('permit_expiry_warning_days') }}) as first_seen_date,
        {{ as_of_date() }} as last_seen_date
    from latest_permits
    where
        recency_rank = 1
        and permit_type in ('ITAS', 'ITAP')
        and expiry_date between {{ as_of_date() }} and {{ as_of_date() }}
        + {{ var('permit_expiry_warning_days') }}
)

select * from final
