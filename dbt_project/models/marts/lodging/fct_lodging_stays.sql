-- One row per APOA lodging report (a foreign guest's stay), without names, passports or birth
-- dates: the guest is the pseudonymous person key. present_from_date..present_to_date are the
-- days the guest counts as present in fct_foreigners_present_daily: check-in to the night before
-- check-out; a report without check-out counts for open_stay_days; at most max_stay_days.
--
-- Incremental (dbt_project.yml): a run reads only the staging rows written since the previous
-- run (staged_at), i.e. new reports, late reports and corrections, and replaces those reports.
-- changed_from_date..changed_to_date cover the days of the old and the new version of a changed
-- report, so the daily presence fact rebuilds exactly the days a correction moved.

with

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
    {%- if is_incremental() %}
    where staged_at > (select coalesce(max(stored.updated_at), '-infinity') from {{ this }} as stored)
    {%- endif %}
),

visa_index_codes as (
    select * from {{ ref('visa_index_codes') }}
),

stays as (
    select
        lodging_reports.lodging_report_key,
        lodging_reports.person_key,
        lodging_reports.batch_id,
        lodging_reports.lodging_name,
        lodging_reports.region_code,
        lodging_reports.province_code,
        lodging_reports.country_code,
        lodging_reports.visit_purpose,
        lodging_reports.visa_index_code,
        coalesce(visa_index_codes.category, 'lainnya') as visa_category,
        visa_index_codes.permit_type as visa_permit_type,
        lodging_reports.sex,
        lodging_reports.check_in_date,
        lodging_reports.check_out_date,
        lodging_reports.check_out_date is null as is_open_stay,
        lodging_reports.check_in_date as present_from_date,
        lodging_reports.check_in_date + least(
            case
                when lodging_reports.check_out_date is null then {{ var('open_stay_days') }}
                -- same-day or inverted dates: present on the check-in day only
                else greatest(lodging_reports.check_out_date - lodging_reports.check_in_date, 1)
            end,
            {{ var('max_stay_days') }}
        ) - 1 as present_to_date
    from lodging_reports
    left join visa_index_codes
        on lodging_reports.visa_index_code = visa_index_codes.indeks_visa
),

{% if is_incremental() %}

with_previous as (
    select
        stays.*,
        least(stays.present_from_date, stored.present_from_date) as changed_from_date,
        greatest(stays.present_to_date, stored.present_to_date) as changed_to_date
    from stays
    left join (
        -- = any(array(...)): index probes for the changed reports, not a join over all history
        select *
        from {{ this }}
        where lodging_report_key = any(array(select stays.lodging_report_key from stays))
    ) as stored
        on stays.lodging_report_key = stored.lodging_report_key
),

{% else %}

with_previous as (
    select
        stays.*,
        stays.present_from_date as changed_from_date,
        stays.present_to_date as changed_to_date
    from stays
),

{% endif %}

final as (
    select
        -- ids
        lodging_report_key,
        person_key,
        batch_id,

        -- strings
        lodging_name,
        region_code,
        province_code,
        country_code,
        visit_purpose,
        visa_index_code,
        visa_category,
        visa_permit_type,
        sex,

        -- booleans
        is_open_stay,

        -- numerics
        case
            when check_out_date >= check_in_date then check_out_date - check_in_date
        end as night_count,

        -- dates
        check_in_date,
        check_out_date,
        present_from_date,
        present_to_date,
        changed_from_date,
        changed_to_date,

        -- timestamps
        now() as updated_at
    from with_previous
)

select * from final
