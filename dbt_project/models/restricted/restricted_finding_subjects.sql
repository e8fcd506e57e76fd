-- Who a person-level finding is about: the finding with the person's passport number and the
-- name most recently recorded by any agency. For authorised follow-up only (schema restricted);
-- the marts and the briefing never carry these columns.

with

findings as (
    select * from {{ ref('fct_findings') }}
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

residence_certificates as (
    select * from {{ ref('stg_dukcapil__residence_certificates') }}
),

research_notices as (
    select * from {{ ref('stg_kesbangpol__research_notices') }}
),

identities as (
    select
        person_key,
        passport_norm,
        country_code,
        person_name,
        batch_loaded_at,
        'imigrasi' as source
    from stay_permits
    union all
    select
        person_key,
        passport_norm,
        country_code,
        guest_name as person_name,
        batch_loaded_at,
        'apoa' as source
    from lodging_reports
    union all
    select
        person_key,
        passport_norm,
        country_code,
        worker_name as person_name,
        batch_loaded_at,
        'disnaker' as source
    from foreign_workers
    union all
    select
        person_key,
        passport_norm,
        country_code,
        holder_name as person_name,
        batch_loaded_at,
        'dukcapil' as source
    from residence_certificates
    union all
    select
        person_key,
        passport_norm,
        country_code,
        researcher_name as person_name,
        batch_loaded_at,
        'kesbangpol' as source
    from research_notices
),

latest_identity as (
    select distinct on (person_key)
        person_key,
        passport_norm,
        country_code,
        person_name,
        source as name_source
    from identities
    where person_key is not null and person_name is not null
    order by person_key asc, batch_loaded_at desc, source asc
),

final as (
    select
        -- ids
        findings.finding_id,
        findings.person_key,

        -- personal data
        latest_identity.passport_norm,
        latest_identity.person_name,

        -- strings
        findings.finding_code,
        findings.status,
        findings.region_code,
        findings.responsible_agency,
        findings.severity,
        latest_identity.country_code,
        latest_identity.name_source,
        findings.detail,

        -- dates
        findings.first_seen_date,
        findings.last_seen_date,
        findings.reference_date
    from findings
    inner join latest_identity
        on findings.person_key = latest_identity.person_key
    -- a view reads its tables as its owner: the reader's row scope is applied here
    where {{ row_scope_predicate('findings.region_code', 'findings.province_code') }}
)

select * from final
