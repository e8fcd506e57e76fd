-- One row per matching key a nationality can be written as: aliases, English and Indonesian
-- names, alpha-3 (and ICAO) codes, and alpha-2 codes, which rank below everything else ("AS" on
-- an Indonesian form means Amerika Serikat, not American Samoa). A key claimed by two countries
-- at its best rank ("Korea", "Kongo") keeps country_code NULL and is_ambiguous true: never
-- guessed, and gate 1 reports the rows using it. Staging and gate 1 read this table.

with

countries as (
    select * from {{ ref('countries') }}
),

country_aliases as (
    select * from {{ ref('country_aliases') }}
),

candidates as (
    select {{ normalise_text_key('alias') }} as match_key, country_code, 1 as priority from country_aliases
    union all
    select {{ normalise_text_key('name_en') }} as match_key, country_code, 1 as priority from countries
    union all
    select {{ normalise_text_key('name_id') }} as match_key, country_code, 1 as priority from countries
    union all
    select {{ normalise_text_key('country_code') }} as match_key, country_code, 1 as priority from countries
    union all
    select {{ normalise_text_key('alpha2') }} as match_key, country_code, 2 as priority from countries
),

best_priority as (
    select
        match_key,
        country_code,
        priority,
        min(priority) over (partition by match_key) as best_priority
    from candidates
    where match_key is not null
),

resolved as (
    select
        match_key,
        count(distinct country_code) as candidate_count,
        min(country_code) as any_country_code
    from best_priority
    where priority = best_priority
    group by match_key
),

final as (
    select
        match_key,
        case when candidate_count = 1 then any_country_code end as country_code,
        candidate_count,
        candidate_count > 1 as is_ambiguous
    from resolved
)

select * from final
