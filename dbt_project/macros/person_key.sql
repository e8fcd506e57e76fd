{#- Pseudonymous person key (docs/contracts.md): hex HMAC-SHA256 of passport_norm || '|' ||
    country_code keyed with the session setting pantau.pii_key (set through PGOPTIONS, so the
    key never appears in SQL text). NULL when the passport or the nationality did not normalise:
    such a record links to nobody ("Finding rules"). require_pii_key() stops the build before
    this can run without a key. -#}
{% macro person_key(passport_norm, country_code) -%}
case
    when ({{ passport_norm }}) is not null and ({{ country_code }}) is not null
        then encode(
            hmac(
                ({{ passport_norm }}) || '|' || ({{ country_code }}),
                current_setting('pantau.pii_key', true),
                'sha256'
            ),
            'hex'
        )
end
{%- endmacro %}
