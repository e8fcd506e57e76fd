-- Every dated record that places a known person somewhere: lodging reports (check-in date) and
-- police records (report date), up to the reference date. Used for OVERSTAY and location checks.

with

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
),

police_reports as (
    select * from {{ ref('stg_polri__police_reports') }}
),

unioned as (
    select
        person_key,
        'penginapan' as sighting_source,
        lodging_report_id as record_id,
        region_code,
        province_code,
        check_in_date as sighting_date
    from lodging_reports
    where person_key is not null

    union all

    select
        person_key,
        'kepolisian' as sighting_source,
        police_report_number as record_id,
        region_code,
        province_code,
        report_date as sighting_date
    from police_reports
    where person_key is not null
),

final as (
    select
        -- ids
        md5(sighting_source || '|' || record_id) as sighting_id,
        person_key,
        record_id,

        -- strings
        sighting_source,
        region_code,
        province_code,

        -- dates
        sighting_date
    from unioned
    where sighting_date <= {{ as_of_date() }}
)

select * from final
