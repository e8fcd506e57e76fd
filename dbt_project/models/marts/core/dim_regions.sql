-- Regions (provinces and kabupaten/kota) with their province's name, for labels and roll-ups.

with

regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        -- ids
        regions.region_code,

        -- strings
        regions.region_name,
        regions.region_level,
        regions.province_code,
        provinces.region_name as province_name
    from regions
    left join regions as provinces
        on regions.province_code = provinces.region_code
)

select * from final
