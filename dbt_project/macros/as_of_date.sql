{#- The reference date as a SQL date literal: var('as_of') when given (unit tests), else
    PANTAU_AS_OF, else current_date (dbt_project.yml says why PANTAU_AS_OF is read here).
    The value is checked here because it is spliced into SQL text. -#}
{% macro as_of_date() -%}
    {%- set value = (var('as_of', '') or env_var('PANTAU_AS_OF', '')) | string | trim -%}
    {%- if value == '' or value == 'None' -%}
        current_date
    {%- elif modules.re.match('^\d{4}-\d{2}-\d{2}$', value) -%}
        date '{{ value }}'
    {%- else -%}
        {{ exceptions.raise_compiler_error("as_of / PANTAU_AS_OF must be YYYY-MM-DD, got '" ~ value ~ "'") }}
    {%- endif -%}
{%- endmacro %}
