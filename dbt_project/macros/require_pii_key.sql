{#- Pre-hook for models that compute person keys. Without the key, hmac() would silently return
    NULL and every person would vanish from the marts; stop the build with a clear message instead.
    The key is read from the session (PGOPTIONS), so it never appears in compiled SQL or logs. -#}
{% macro require_pii_key() -%}
    {%- if execute -%}
        {%- set result = run_query("select coalesce(length(current_setting('pantau.pii_key', true)), 0) as key_length") -%}
        {%- set key_length = result.columns[0].values()[0] | int -%}
        {%- if key_length < 16 -%}
            {{ exceptions.raise_compiler_error(
                "PANTAU_PII_KEY is missing: the PostgreSQL setting pantau.pii_key is not set (or shorter "
                ~ "than 16 characters) in this session. Set PANTAU_PII_KEY and run through "
                ~ "pantau.config.export_tool_env(), which passes it as PGOPTIONS='-c pantau.pii_key=...'. "
                ~ "Person keys cannot be computed without it.") }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
