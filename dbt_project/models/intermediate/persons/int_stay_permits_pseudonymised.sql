-- Stay permits without names, passports or birth dates (person_key links the holder): what the
-- snapshot snp_imigrasi__stay_permits records for each permit number.

select
    permit_number,
    person_key,
    permit_type,
    visa_index_code,
    country_code,
    region_code,
    province_code,
    issued_date,
    expiry_date,
    batch_id
from {{ ref('stg_imigrasi__stay_permits') }}
