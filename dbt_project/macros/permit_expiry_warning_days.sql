{#- Days before expiry that raise IZIN_SEGERA_BERAKHIR, per permit type, as a SQL expression over
    `permit_type_expr`. The one place is var('permit_expiry_warning_days') in dbt_project.yml: a
    mapping {permit type: days, default: days} (or one number for every type); a type not listed
    gets `default` (30 when unset). -#}
{% macro permit_expiry_warning_days(permit_type_expr) -%}
    {%- set setting = var('permit_expiry_warning_days', 30) -%}
    {%- if setting is mapping -%}
        {%- set default_days = setting.get('default', 30) | int -%}
        case upper({{ permit_type_expr }})
        {%- for permit_type, days in setting.items() if permit_type != 'default' %}
            when '{{ permit_type | upper | replace("'", "") }}' then {{ days | int }}
        {%- endfor %}
            else {{ default_days }}
        end
    {%- else -%}
        {{ setting | int }}
    {%- endif -%}
{%- endmacro %}
