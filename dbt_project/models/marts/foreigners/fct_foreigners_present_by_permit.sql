-- Foreigners present on the reference date by kabupaten/kota, nationality, permit type (ITK/ITAS/
-- ITAP) and purpose (the visa index's category). Same persons and regions as
-- fct_foreigners_present, one level finer.

with

present_persons as (
    select * from {{ ref('int_stay_permits_filtered_to_valid') }}
),

visa_index_codes as (
    select * from {{ ref('visa_index_codes') }}
),

classified as (
    select
        present_persons.*,
        coalesce(visa_index_codes.category, 'lainnya') as visa_category
    from present_persons
    left join visa_index_codes
        on present_persons.visa_index_code = visa_index_codes.indeks_visa
),

counted as (
    select
        region_code,
        province_code,
        country_code,
        permit_type,
        visa_category,
        count(distinct person_key) as foreigner_count
    from classified
    group by region_code, province_code, country_code, permit_type, visa_category
),

final as (
    select
        -- dates
        {{ as_of_date() }} as reference_date,

        -- strings
        region_code,
        province_code,
        country_code,
        permit_type,
        visa_category,

        -- numerics
        foreigner_count
    from counted
)

select * from final
