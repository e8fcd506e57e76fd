-- PENELITI_TANPA_PEMBERITAHUAN: (a) a research stay permit (E29) valid on the reference date and
-- no research notification of the person covering that day; or (b) a lodging report with purpose
-- PENELITIAN in the 90-day window not covered by a notification of the person on its check-in
-- date. Region: (a) that permit's (latest tanggal_terbit), else (b) the latest such lodging's.

with

stay_permits as (
    select * from {{ ref('int_stay_permits_classified') }}
),

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
),

research_notices as (
    select * from {{ ref('stg_kesbangpol__research_notices') }}
),

uncovered_permits as (
    select
        stay_permits.person_key,
        stay_permits.country_code,
        stay_permits.region_code,
        stay_permits.province_code,
        stay_permits.issued_date as evidence_date,
        'a' as basis,
        row_number() over (
            partition by stay_permits.person_key
            order by stay_permits.issued_date desc, stay_permits.permit_number desc
        ) as recency_rank
    from stay_permits
    where
        stay_permits.is_research_permit
        and stay_permits.is_valid_on_reference_date
        and not exists (
            select 1
            from research_notices
            where
                research_notices.person_key = stay_permits.person_key
                and research_notices.start_date <= {{ as_of_date() }}
                and research_notices.end_date >= {{ as_of_date() }}
        )
),

uncovered_stays as (
    select
        lodging_reports.person_key,
        lodging_reports.country_code,
        lodging_reports.region_code,
        lodging_reports.province_code,
        lodging_reports.check_in_date as evidence_date,
        'b' as basis,
        row_number() over (
            partition by lodging_reports.person_key
            order by lodging_reports.check_in_date desc, lodging_reports.lodging_report_id desc
        ) as recency_rank
    from lodging_reports
    where
        lodging_reports.person_key is not null
        and lodging_reports.visit_purpose = 'PENELITIAN'
        and lodging_reports.check_in_date > {{ as_of_date() }} - 90
        and lodging_reports.check_in_date <= {{ as_of_date() }}
        and not exists (
            select 1
            from research_notices
            where
                research_notices.person_key = lodging_reports.person_key
                and research_notices.start_date <= lodging_reports.check_in_date
                and research_notices.end_date >= lodging_reports.check_in_date
        )
),

evidence as (
    select * from uncovered_permits
    where recency_rank = 1
    union all
    select * from uncovered_stays
    where recency_rank = 1
),

chosen as (
    select
        evidence.*,
        row_number() over (partition by evidence.person_key order by evidence.basis) as basis_rank
    from evidence
),

final as (
    select
        md5('PENELITI_TANPA_PEMBERITAHUAN|' || person_key) as finding_id,
        person_key,
        'PENELITI_TANPA_PEMBERITAHUAN' as finding_code,
        null::text as finding_subtype,
        region_code,
        province_code,
        country_code,
        null::text as employer_name,
        case basis
            when 'a'
                then format(
                    'Izin tinggal penelitian (terbit %s) berlaku per %s '
                    || 'tanpa surat pemberitahuan penelitian.',
                    to_char(evidence_date, 'YYYY-MM-DD'),
                    to_char({{ as_of_date() }}, 'YYYY-MM-DD')
                )
            else format(
                'Menginap dengan tujuan penelitian (masuk %s) tanpa surat pemberitahuan penelitian.',
                to_char(evidence_date, 'YYYY-MM-DD')
            )
        end as detail,
        evidence_date as first_seen_date,
        {{ as_of_date() }} as last_seen_date
    from chosen
    where basis_rank = 1
)

select * from final
