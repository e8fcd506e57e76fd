{#- Text -> date, as every layer reads dates: a call of the warehouse function staging.parse_date,
    defined once in macros/udfs/parse_date_udf.sql (formats: docs/contracts.md, "Normalisation
    rules"). NULL for anything it cannot read; gate 1 counts those values, per column and row. -#}
{% macro parse_date(expr) -%}
staging.parse_date(({{ expr }})::text)
{%- endmacro %}
