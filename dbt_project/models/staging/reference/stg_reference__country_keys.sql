-- One row per matching key a nationality can be written as: aliases, English and Indonesian
-- names, alpha-2 and alpha-3 codes. A key claimed by two countries is dropped (never guessed).

with

countries as (
    select * from {{ ref('countries') }}
),

country_aliases as (
    select * from {{ ref('country_aliases') }}
),

candidates as (
    select {{ normalise_text_key('alias') }} as match_key, country_code from country_aliases
    union all
    select {{ normalise_text_key('name_en') }} as match_key, country_code from countries
    union all
    select {{ normalise_text_key('name_id') }} as match_key, country_code from countries
    union all
    select {{ normalise_text_key('alpha2') }} as match_key, country_code from countries
    union all
    select {{ normalise_text_key('country_code') }} as match_key, country_code from countries
),

final as (
    select
        match_key,
        min(country_code) as country_code
    from candidates
    group by match_key
    having count(distinct country_code) = 1
)

select * from final
