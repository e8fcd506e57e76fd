-- Countries (ISO 3166-1 alpha-3) with English and Indonesian names.

with

countries as (
    select * from {{ ref('countries') }}
),

final as (
    select
        -- ids
        country_code,

        -- strings
        name_en,
        name_id
    from countries
)

select * from final
