-- The finding catalogue (seed finding_types.csv) as published to the briefing, gate 2 and
-- `pantau status`: readers of marts never read the seed's staging table.

with

finding_types as (
    select * from {{ ref('finding_types') }}
),

final as (
    select
        -- ids
        finding_code,

        -- strings
        responsible_agency,
        severity,
        name_id,
        name_en,
        definition_id,
        definition_en,

        -- numerics
        display_order
    from finding_types
)

select * from final
