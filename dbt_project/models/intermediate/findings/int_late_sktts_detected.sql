-- SKTT_TERLAMBAT: a person with an ITAS valid on the reference date, issued more than
-- sktt_grace_days (14) days before it, and no SKTT issued on or before the reference date.
-- Region: that ITAS's (latest tanggal_terbit).

with

stay_permits as (
    select * from {{ ref('int_stay_permits_classified') }}
),

residence_certificates as (
    select * from {{ ref('stg_dukcapil__residence_certificates') }}
),

holders_with_sktt as (
    select distinct person_key
    from residence_certificates
    where person_key is not null and issued_date <= {{ as_of_date() }}
),

ranked as (
    select
        stay_permits.*,
        row_number() over (
            partition by stay_permits.person_key
            order by stay_permits.issued_date desc, stay_permits.permit_number desc
        ) as recency_rank
    from stay_permits
    left join holders_with_sktt
        on stay_permits.person_key = holders_with_sktt.person_key
    where
        stay_permits.permit_type = 'ITAS'
        and stay_permits.is_valid_on_reference_date
        and {{ as_of_date() }} - stay_permits.issued_date > {{ var('sktt_grace_days') }}
        and holders_with_sktt.person_key is null
),

final as (
    select
        md5('SKTT_TERLAMBAT|' || person_key) as finding_id,
        person_key,
        'SKTT_TERLAMBAT' as finding_code,
        null::text as finding_subtype,
        region_code,
        province_code,
        country_code,
        null::text as employer_name,
        format(
            'ITAS terbit %s (%s hari sebelum %s) belum memiliki SKTT; batas %s hari.',
            to_char(issued_date, 'YYYY-MM-DD'),
            {{ as_of_date() }} - issued_date,
            to_char({{ as_of_date() }}, 'YYYY-MM-DD'),
            {{ var('sktt_grace_days') }}
        ) as detail,
        issued_date + {{ var('sktt_grace_days') }} + 1 as first_seen_date,
        {{ as_of_date() }} as last_seen_date
    from ranked
    where recency_rank = 1
)

select * from final
