-- Foreigners present on the reference date by kabupaten/kota and nationality (docs/contracts.md):
-- a person counts once if they hold a stay permit valid that day, in the region of the most
-- recently issued one. Unresolved regions are counted under region_code NULL.

with

present_persons as (
    select * from {{ ref('int_stay_permits_filtered_to_valid') }}
),

counted as (
    select
        region_code,
        province_code,
        country_code,
        count(distinct person_key) as foreigner_count
    from present_persons
    group by region_code, province_code, country_code
),

final as (
    select
        -- dates
        {{ as_of_date() }} as reference_date,

        -- strings
        region_code,
        province_code,
        country_code,

        -- numerics
        foreigner_count
    from counted
)

select * from final
