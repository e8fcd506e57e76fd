{#- Post-hook for seeds: gate 1 (run by the loader, before dbt) resolves regions, countries and visa
    codes against this reference data. Additive GRANT, not dbt's `grants` config, which would revoke
    the readers that default privileges gave. Reference data only: no personal data in any seed. -#}
{% macro grant_reference_to_loader() -%}
    grant select on {{ this }} to pantau_loader
{%- endmacro %}
