{#- Pseudonymous person key (docs/contracts.md): hex HMAC-SHA256 of passport_norm || '|' ||
    country_code keyed with the session setting pantau.pii_key (set through PGOPTIONS, so the
    key never appears in SQL text). An unresolved nationality is hashed as 'XXX' (ICAO
    "unspecified") so the person still counts once; NULL when there is no passport number.
    require_pii_key() stops the build before this can run without a key. -#}
{% macro person_key(passport_norm, country_code) -%}
case
    when ({{ passport_norm }}) is not null
        then encode(
            hmac(
                ({{ passport_norm }}) || '|' || coalesce(({{ country_code }}), 'XXX'),
                current_setting('pantau.pii_key', true),
                'sha256'
            ),
            'hex'
        )
end
{%- endmacro %}
