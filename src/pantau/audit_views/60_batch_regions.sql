-- The region codes each loaded batch's rows name: the names of audit.batch_region_names resolved
-- with dbt's region key table (staging.stg_reference__region_keys, the rule staging uses; a name
-- that could mean two regions resolves to none). One warehouse may serve several provinces: this
-- is how a briefing tells its own files from the others'. Empty until dbt has built the key
-- table; a batch with no row here could not be placed (a briefing shows it rather than hide it).
-- Security definer: the key table is reference data (no personal data) that every reader of the
-- audit views may see, though only dbt and the owner of this function can read staging itself.
create or replace function audit.region_keys()
returns table (match_key text, region_code text)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    -- the key table is dbt's: read it only once it exists (resolved when called, not created)
    if to_regclass('staging.stg_reference__region_keys') is null then
        return;
    end if;
    return query
    select keys.match_key::text, keys.region_code::text
    from staging.stg_reference__region_keys as keys
    where keys.region_code is not null;
end
$$;

create or replace view audit.batch_regions as
select distinct
    names.batch_id,
    keys.region_code
from audit.batch_region_names as names
inner join audit.region_keys() as keys
    -- the warehouse's matching key, as dbt's key tables are built with it
    on keys.match_key = staging.text_key(names.region_name);
