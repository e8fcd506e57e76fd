{#- THE matching key for names and codes (regions, kecamatan, countries): `staging.text_key(text)`,
    upper case with every character that is not a letter or digit removed, so "KAB. SERANG",
    "Kab Serang" and "kab.serang" agree, as do "Palangka Raya" and "Palangkaraya"; NULL when
    nothing is left. dbt's key tables and staging (macro normalise_text_key), gate 1
    (pantau.quality.sql_checks) and the auditor views (src/pantau/audit_views) all call it.

    Installed like parse_date (install_udfs: dbt's on-run-start and pantau.warehouse.bootstrap),
    only when its text differs. A one-expression SQL function without STRICT or SET: PostgreSQL
    inlines it into the calling query, so a key costs what the expression costs. -#}
{% macro text_key_udf_sql(schema='staging') -%}
{%- set body -%}
select nullif(regexp_replace(upper(raw_value), '[^[:alnum:]]+', '', 'g'), '')
{%- endset -%}
-- installs {{ schema }}.text_key (pantau: dbt_project/macros/udfs/text_key_udf.sql)
do $install$
begin
    if coalesce((select prosrc from pg_proc where oid = to_regprocedure('{{ schema }}.text_key(text)')), '')
        <> $key${{ body }}$key$ then
        create or replace function {{ schema }}.text_key(raw_value text) returns text
        language sql immutable parallel safe as $key${{ body }}$key$;
    end if;
end
$install$
{%- endmacro %}
