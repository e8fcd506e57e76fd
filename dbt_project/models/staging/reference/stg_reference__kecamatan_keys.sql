-- One row per (province, matching key) a kecamatan can be written as: its name, "Kecamatan X"
-- or "Kec. X". Within a province a name shared by two kecamatan (in different kab/kota) keeps
-- region_code NULL: never guessed. Community reports whose kab/kota is missing or ambiguous
-- resolve their kab/kota through this table (stg_masyarakat__community_reports).

with

kecamatan as (
    select * from {{ ref('kecamatan') }}
),

candidates as (
    select
        province_code,
        {{ normalise_text_key('kecamatan_name') }} as match_key,
        region_code
    from kecamatan
    union all
    select
        province_code,
        'KECAMATAN' || {{ normalise_text_key('kecamatan_name') }},
        region_code
    from kecamatan
    union all
    select
        province_code,
        'KEC' || {{ normalise_text_key('kecamatan_name') }},
        region_code
    from kecamatan
),

resolved as (
    select
        province_code,
        match_key,
        count(distinct region_code) as candidate_count,
        min(region_code) as any_region_code
    from candidates
    where match_key is not null
    group by province_code, match_key
),

final as (
    select
        province_code,
        match_key,
        case when candidate_count = 1 then any_region_code end as region_code,
        candidate_count,
        candidate_count > 1 as is_ambiguous
    from resolved
)

select * from final
