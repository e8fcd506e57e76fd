{#- on-run-start (dbt_project.yml): the warehouse functions the models call, installed before any
    model runs. The definitions are plain Jinja macros beside this file, which
    pantau.warehouse.bootstrap renders too (a warehouse dbt has never run on still has them). -#}
{% macro install_udfs() -%}
{{ parse_date_udf_sql(schema='staging') }};
{{ text_key_udf_sql(schema='staging') }}
{%- endmacro %}
