-- TKA_TANPA_ITAS: a person with a Disnaker record active on the reference date and no work stay
-- permit (is_work visa index) valid that day. Region: lokasi_kerja of the active record with the
-- latest tanggal_mulai.

with

active_workers as (
    select * from {{ ref('int_foreign_workers_filtered_to_active') }}
),

stay_permits as (
    select * from {{ ref('int_stay_permits_classified') }}
),

valid_work_permits as (
    select distinct person_key
    from stay_permits
    where is_work_permit and is_valid_on_reference_date
),

ranked as (
    select
        active_workers.*,
        min(active_workers.start_date) over (partition by active_workers.person_key) as first_start_date,
        row_number() over (
            partition by active_workers.person_key
            order by active_workers.start_date desc, active_workers.foreign_worker_id desc
        ) as recency_rank
    from active_workers
    left join valid_work_permits
        on active_workers.person_key = valid_work_permits.person_key
    where valid_work_permits.person_key is null
),

final as (
    select
        md5('TKA_TANPA_ITAS|' || person_key) as finding_id,
        person_key,
        'TKA_TANPA_ITAS' as finding_code,
        null::text as finding_subtype,
        region_code,
        province_code,
        country_code,
        employer_name,
        format(
            'TKA aktif menurut Disnakertrans (RPTKA %s, berlaku %s s.d. %s) tanpa izin tinggal kerja '
            || 'yang berlaku per %s.',
            rptka_number,
            to_char(start_date, 'YYYY-MM-DD'),
            to_char(end_date, 'YYYY-MM-DD'),
            to_char({{ as_of_date() }}, 'YYYY-MM-DD')
        ) as detail,
        first_start_date as first_seen_date,
        {{ as_of_date() }} as last_seen_date
    from ranked
    where recency_rank = 1
)

select * from final
