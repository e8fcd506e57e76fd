{#- Custom schemas are used verbatim (staging, intermediate, marts): the warehouse's schemas are
    created by pantau.warehouse.bootstrap and shared with the loaders, GX and the briefing. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
