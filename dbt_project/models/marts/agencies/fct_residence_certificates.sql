-- Dukcapil residence certificates (SKTT) as of the reference date, by kabupaten/kota and
-- nationality: how many are valid, issued in the last 30 days and expiring within
-- permit_expiry_warning_days. Counts only; holders stay in staging.

with

residence_certificates as (
    select * from {{ ref('stg_dukcapil__residence_certificates') }}
),

counted as (
    select
        region_code,
        province_code,
        country_code,
        count(*) filter (
            where issued_date <= {{ as_of_date() }} and valid_until_date >= {{ as_of_date() }}
        ) as valid_count,
        count(*) filter (
            where issued_date <= {{ as_of_date() }} and issued_date > {{ as_of_date() }} - 30
        ) as issued_last_30_days_count,
        count(*) filter (
            where
            issued_date <= {{ as_of_date() }}
            and valid_until_date >= {{ as_of_date() }}
            and valid_until_date <= {{ as_of_date() }} + {{ permit_expiry_warning_days("'SKTT'") }}
        ) as expiring_soon_count
    from residence_certificates
    where issued_date <= {{ as_of_date() }}
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
        valid_count,
        issued_last_30_days_count,
        expiring_soon_count
    from counted
)

select * from final
