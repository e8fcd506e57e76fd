-- ITAS_KERJA_TANPA_RPTKA: a person with a work stay permit valid on the reference date and no
-- Disnaker record active that day (possible unregistered worker). Region: that permit's (latest
-- tanggal_terbit). The sponsor of a work permit is the employer (a company), kept as employer_name.

with

stay_permits as (
    select * from {{ ref('int_stay_permits_classified') }}
),

active_workers as (
    select * from {{ ref('int_foreign_workers_filtered_to_active') }}
),

ranked as (
    select
        stay_permits.*,
        row_number() over (
            partition by stay_permits.person_key
            order by stay_permits.issued_date desc, stay_permits.permit_number desc
        ) as recency_rank
    from stay_permits
    where
        stay_permits.is_work_permit
        and stay_permits.is_valid_on_reference_date
        and not exists (
            select 1
            from active_workers
            where active_workers.person_key = stay_permits.person_key
        )
),

final as (
    select
        md5('ITAS_KERJA_TANPA_RPTKA|' || person_key) as finding_id,
        person_key,
        'ITAS_KERJA_TANPA_RPTKA' as finding_code,
        null::text as finding_subtype,
        region_code,
        province_code,
        country_code,
        sponsor_name as employer_name,
        format(
            'Izin tinggal %s indeks %s berlaku %s s.d. %s, tanpa data TKA aktif di Disnakertrans.',
            permit_type,
            visa_index_code,
            to_char(issued_date, 'YYYY-MM-DD'),
            to_char(expiry_date, 'YYYY-MM-DD')
        ) as detail,
        issued_date as first_seen_date,
        {{ as_of_date() }} as last_seen_date
    from ranked
    where recency_rank = 1
)

select * from final
