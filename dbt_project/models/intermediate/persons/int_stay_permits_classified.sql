-- Stay permits of linked persons known on the reference date (issued on or before it), with what
-- their visa index allows (work, research) and whether they are valid on the reference date.

with

stay_permits as (
    select * from {{ ref('stg_imigrasi__stay_permits') }}
),

visa_index_codes as (
    select * from {{ ref('visa_index_codes') }}
),

final as (
    select
        -- ids
        stay_permits.permit_number,
        stay_permits.person_key,

        -- strings
        stay_permits.permit_type,
        stay_permits.visa_index_code,
        visa_index_codes.category as visa_category,
        stay_permits.country_code,
        stay_permits.region_code,
        stay_permits.province_code,
        stay_permits.sponsor_name,

        -- booleans
        coalesce(visa_index_codes.is_work, false) as is_work_permit,
        coalesce(visa_index_codes.is_research, false) as is_research_permit,
        coalesce(
            stay_permits.issued_date <= {{ as_of_date() }} and stay_permits.expiry_date >= {{ as_of_date() }},
            false
        ) as is_valid_on_reference_date,

        -- dates
        stay_permits.issued_date,
        stay_permits.expiry_date
    from stay_permits
    left join visa_index_codes
        on stay_permits.visa_index_code = visa_index_codes.indeks_visa
    where
        stay_permits.person_key is not null
        and stay_permits.issued_date <= {{ as_of_date() }}
)

select * from final
