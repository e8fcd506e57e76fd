-- Findings (temuan) as of the reference date, kept across runs (docs/contracts.md). Incremental:
-- a finding detected now is `baru` the first time (also when it comes back after being resolved)
-- and `berlanjut` in later runs; a finding that was open and is no longer detected becomes
-- `selesai` with resolved_date = the reference date. Rerunning the same reference date changes
-- nothing. Responsible agency and severity come from the finding catalogue (seed finding_types):
-- a finding whose code is not in the catalogue fails the not_null tests on them. detected_date is
-- the reference date of the run that first detected the finding (again, after a resolution): when
-- the team learnt of it, which for late-arriving data is after first_seen_date.

{%- set finding_models = [
    'int_overstays_detected',
    'int_unpermitted_workers_detected',
    'int_unregistered_workers_detected',
    'int_late_sktts_detected',
    'int_location_mismatches_detected',
    'int_expiring_permits_detected',
    'int_unnotified_researchers_detected',
    'int_arrival_surges_detected',
    'int_unmatched_community_reports_detected',
] %}

with

finding_types as (
    select * from {{ ref('finding_types') }}
),

detected_by_rules as (
    {%- for finding_model in finding_models %}
    select
        finding_id,
        finding_code,
        finding_subtype,
        region_code,
        province_code,
        person_key,
        employer_name,
        detail,
        first_seen_date,
        last_seen_date
    from {{ ref(finding_model) }}
    {% if not loop.last %}
    union all
    {% endif %}
    {%- endfor %}
),

detected as (
    select
        detected_by_rules.finding_id,
        detected_by_rules.finding_code,
        detected_by_rules.finding_subtype,
        detected_by_rules.region_code,
        detected_by_rules.province_code,
        finding_types.responsible_agency,
        finding_types.severity,
        detected_by_rules.person_key,
        detected_by_rules.employer_name,
        detected_by_rules.detail,
        detected_by_rules.first_seen_date,
        detected_by_rules.last_seen_date
    from detected_by_rules
    left join finding_types
        on detected_by_rules.finding_code = finding_types.finding_code
),

{% if is_incremental() %}

previous as (
    select * from {{ this }}
),

current_findings as (
    select
        detected.*,
        case
            when previous.finding_id is null or previous.status = 'selesai' then 'baru'
            when previous.reference_date >= {{ as_of_date() }} then previous.status
            else 'berlanjut'
        end as status,
        null::date as resolved_date,
        case
            when previous.finding_id is null or previous.status = 'selesai' then detected.first_seen_date
            else least(previous.first_seen_date, detected.first_seen_date)
        end as kept_first_seen_date,
        case
            when previous.finding_id is null or previous.status = 'selesai' then {{ as_of_date() }}
            when previous.reference_date >= {{ as_of_date() }} then previous.detected_date
            else coalesce(previous.detected_date, previous.reference_date)
        end as detected_date
    from detected
    left join previous
        on detected.finding_id = previous.finding_id
),

resolved_findings as (
    select
        previous.finding_id,
        previous.finding_code,
        previous.finding_subtype,
        previous.region_code,
        previous.province_code,
        previous.responsible_agency,
        previous.severity,
        previous.person_key,
        previous.employer_name,
        previous.detail,
        previous.first_seen_date,
        previous.last_seen_date,
        'selesai' as status,
        {{ as_of_date() }} as resolved_date,
        previous.first_seen_date as kept_first_seen_date,
        previous.detected_date
    from previous
    left join detected
        on previous.finding_id = detected.finding_id
    where detected.finding_id is null and previous.status <> 'selesai'
),

{% else %}

current_findings as (
    select
        detected.*,
        'baru' as status,
        null::date as resolved_date,
        detected.first_seen_date as kept_first_seen_date,
        {{ as_of_date() }} as detected_date
    from detected
),

resolved_findings as (
    select * from current_findings
    where false
),

{% endif %}

combined as (
    select * from current_findings
    union all
    select * from resolved_findings
),

final as (
    select
        -- ids
        finding_id,
        person_key,

        -- strings
        finding_code,
        finding_subtype,
        region_code,
        province_code,
        responsible_agency,
        severity,
        employer_name,
        detail,
        status,

        -- dates
        kept_first_seen_date as first_seen_date,
        last_seen_date,
        detected_date,
        resolved_date,
        {{ as_of_date() }} as reference_date
    from combined
)

select * from final
