-- One row per person with the stay permits known on the reference date (issued on or before it):
-- their latest expiry date and the permit issued most recently. Persons are linked across
-- permits by person_key (passport + nationality).

with

stay_permits as (
    select * from {{ ref('stg_imigrasi__stay_permits') }}
),

known_permits as (
    select *
    from stay_permits
    where
        person_key is not null
        and (issued_date is null or issued_date <= {{ as_of_date() }})
),

ranked as (
    select
        known_permits.*,
        row_number() over (
            partition by known_permits.person_key
            order by
                known_permits.issued_date desc nulls last,
                known_permits.batch_loaded_at desc,
                known_permits.permit_number desc
        ) as issue_rank
    from known_permits
),

aggregated as (
    select
        person_key,
        count(*) as permit_count,
        max(expiry_date) as latest_expiry_date,
        min(issued_date) as first_issued_date,
        bool_or(permit_type = 'ITAS') as has_itas,
        bool_or(permit_type = 'ITAP') as has_itap
    from known_permits
    group by person_key
),

final as (
    select
        -- ids
        aggregated.person_key,
        ranked.permit_number as latest_permit_number,

        -- strings
        ranked.country_code,
        ranked.permit_type as latest_permit_type,
        ranked.visa_index_code as latest_visa_index_code,
        ranked.region_code as latest_region_code,
        ranked.province_code as latest_province_code,

        -- numerics
        aggregated.permit_count,

        -- booleans
        aggregated.has_itas,
        aggregated.has_itap,

        -- dates
        aggregated.first_issued_date,
        ranked.issued_date as latest_issued_date,
        aggregated.latest_expiry_date
    from aggregated
    inner join ranked
        on aggregated.person_key = ranked.person_key
        and ranked.issue_rank = 1
)

select * from final
