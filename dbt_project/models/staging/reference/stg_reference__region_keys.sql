-- One row per matching key a region can be written as (normalise_text_key of an alias, an
-- official name, a code, or a bare name). Computed nationally, over all 38 provinces: a key that
-- points at more than one region (bare "Serang": Kabupaten and Kota; "Banjar": Kota Banjar in
-- Jawa Barat and Kabupaten Banjar in Kalimantan Selatan; "Bengkulu": the province and its Kota)
-- keeps region_code NULL and is never guessed, but still tells the province when every candidate
-- lies in the same one. Staging and gate 1 read this table; nothing else resolves region names.

with

regions as (
    select * from {{ ref('regions') }}
),

region_aliases as (
    select * from {{ ref('region_aliases') }}
),

candidates as (
    -- priority 1: explicit spellings, official names and codes
    select
        {{ normalise_text_key('alias') }} as match_key,
        region_code,
        1 as priority
    from region_aliases

    union all

    select
        {{ normalise_text_key('region_name') }} as match_key,
        region_code,
        1 as priority
    from regions
    where region_level <> 'provinsi'  -- a province's name is its bare name (priority 2)

    union all

    select
        {{ normalise_text_key('region_code') }} as match_key,
        region_code,
        1 as priority
    from regions

    union all

    -- priority 2: the bare name ("Kabupaten Serang" -> SERANG, a province's own name), which
    -- resolves only when no other region has it
    select
        {{ normalise_text_key('bare_name') }} as match_key,
        region_code,
        2 as priority
    from regions
),

best_priority as (
    select
        candidates.match_key,
        candidates.region_code,
        candidates.priority,
        min(candidates.priority) over (partition by candidates.match_key) as best_priority
    from candidates
    where candidates.match_key is not null
),

resolved as (
    select
        best_priority.match_key,
        count(distinct best_priority.region_code) as candidate_count,
        min(best_priority.region_code) as any_region_code,
        count(distinct regions.province_code) as province_count,
        min(regions.province_code) as any_province_code
    from best_priority
    inner join regions
        on best_priority.region_code = regions.region_code
    where best_priority.priority = best_priority.best_priority
    group by best_priority.match_key
),

final as (
    select
        match_key,
        case when candidate_count = 1 then any_region_code end as region_code,
        case when province_count = 1 then any_province_code end as province_code,
        candidate_count,
        candidate_count > 1 as is_ambiguous
    from resolved
)

select * from final
