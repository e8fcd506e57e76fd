-- Row-level security for one warehouse serving several provinces (pantau.roles, "Row scopes").
-- A login mapped to a province sees that province's rows, one mapped to a kab/kota that kab/kota's,
-- a national login every row. The mapping and the functions below live in the `access` schema,
-- created by the bootstrap (pantau.roles.ACCESS_SQL); this macro is the one predicate using them.

{% macro row_scope_predicate(region_column, province_column) -%}
    (
        (select access.sees_all_rows())
        or {{ region_column }} = any((select access.scoped_region_codes())::text[])
        or coalesce({{ province_column }}, split_part({{ region_column }}, '.', 1))
            = any((select access.scoped_province_codes())::text[])
    )
{%- endmacro %}

-- Post-hook on marts: every table with a region_code or province_code column gets the policy
-- (dbt recreates tables, so the policy is applied on every build). Dimensions of labels
-- (dim_regions, dim_countries) opt out with meta row_scope: false.
{% macro apply_row_scope() -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- set wanted = model.config.get('meta', {}).get('row_scope', true) -%}
    {%- if execute and wanted and ('region_code' in columns or 'province_code' in columns) -%}
        {%- set region = 'region_code' if 'region_code' in columns else 'null::text' -%}
        {%- set province = 'province_code' if 'province_code' in columns else 'null::text' -%}
        alter table {{ this }} enable row level security;
        drop policy if exists row_scope on {{ this }};
        create policy row_scope on {{ this }} for select
            using {{ row_scope_predicate(region, province) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
