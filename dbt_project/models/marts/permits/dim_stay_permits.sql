-- Stay permits with their history: one row per recorded version of a permit (snapshot
-- snp_imigrasi__stay_permits), the current one flagged, and each version's status on the
-- reference date. Pseudonymous: the holder is the person key.

with

permit_history as (
    select * from {{ ref('snp_imigrasi__stay_permits') }}
),

visa_index_codes as (
    select * from {{ ref('visa_index_codes') }}
),

versioned as (
    select
        permit_history.*,
        row_number() over (
            partition by permit_history.permit_number order by permit_history.dbt_valid_from
        ) as version_number
    from permit_history
),

final as (
    select
        -- ids
        versioned.dbt_scd_id as permit_version_id,
        versioned.permit_number,
        versioned.person_key,

        -- strings
        versioned.permit_type,
        versioned.visa_index_code,
        coalesce(visa_index_codes.category, 'lainnya') as visa_category,
        versioned.country_code,
        versioned.region_code,
        versioned.province_code,
        case
            when versioned.issued_date is null or versioned.expiry_date is null then 'tanggal_tidak_valid'
            when versioned.issued_date > {{ as_of_date() }} then 'belum_berlaku'
            when versioned.expiry_date < {{ as_of_date() }} then 'berakhir'
            else 'berlaku'
        end as permit_status,

        -- booleans
        versioned.dbt_valid_to is null as is_current_version,

        -- numerics
        versioned.version_number,

        -- dates
        versioned.issued_date,
        versioned.expiry_date,
        {{ as_of_date() }} as reference_date,

        -- timestamps
        versioned.dbt_valid_from as version_recorded_at,
        versioned.dbt_valid_to as version_replaced_at
    from versioned
    left join visa_index_codes
        on versioned.visa_index_code = visa_index_codes.indeks_visa
)

select * from final
