-- Foreigners present on the reference date: one row per person holding a stay permit valid that
-- day (tanggal_terbit <= as_of <= tanggal_berakhir). When several permits are valid, the most
-- recently issued one gives the region and permit type.

with

stay_permits as (
    select * from {{ ref('stg_imigrasi__stay_permits') }}
),

valid_permits as (
    select *
    from stay_permits
    where
        person_key is not null
        and issued_date <= {{ as_of_date() }}
        and expiry_date >= {{ as_of_date() }}
),

ranked as (
    select
        valid_permits.*,
        row_number() over (
            partition by valid_permits.person_key
            order by
                valid_permits.issued_date desc,
                valid_permits.batch_loaded_at desc,
                valid_permits.permit_number desc
        ) as issue_rank
    from valid_permits
),

final as (
    select
        -- ids
        person_key,
        permit_number,

        -- strings
        country_code,
        region_code,
        province_code,
        permit_type,
        visa_index_code,

        -- booleans
        is_region_ambiguous,

        -- dates
        {{ as_of_date() }} as reference_date,
        issued_date,
        expiry_date
    from ranked
    where issue_rank = 1
)

select * from final
