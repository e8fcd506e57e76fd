{#- Matching key for names and codes (regions, countries): a call of the warehouse function
    staging.text_key, defined once in macros/udfs/text_key_udf.sql. Alias seeds go through it too. -#}
{% macro normalise_text_key(expr) -%}
staging.text_key(({{ expr }})::text)
{%- endmacro %}

{#- Passport number: upper case without spaces, '-', '.' and '/' (docs/contracts.md). -#}
{% macro normalise_passport(expr) -%}
nullif(regexp_replace(upper(btrim(({{ expr }})::text)), '[\s./-]+', '', 'g'), '')
{%- endmacro %}

{#- Trimmed text with inner runs of white space collapsed; NULL when empty. -#}
{% macro clean_text(expr) -%}
nullif(regexp_replace(btrim(({{ expr }})::text), '\s+', ' ', 'g'), '')
{%- endmacro %}

{#- Upper-case code-like values (permit types, visa index, report types): 'itas ' -> 'ITAS',
    'Pelanggaran Keimigrasian' -> 'PELANGGARAN_KEIMIGRASIAN'. -#}
{% macro normalise_code(expr) -%}
nullif(regexp_replace(upper(btrim(({{ expr }})::text)), '[\s-]+', '_', 'g'), '')
{%- endmacro %}

{#- Integer from free text ("12", "± 15 orang", "sekitar 20"): the first run of digits, else NULL. -#}
{% macro parse_integer(expr) -%}
(substring(({{ expr }})::text from '(\d{1,9})'))::integer
{%- endmacro %}

{#- Matching key for an employer name: upper case, legal forms (PT, CV, Tbk, Persero, UD, Firma)
    and punctuation removed, so "PT. Baja Serang", "PT Baja Serang Tbk" and "BAJA SERANG, PT"
    agree. NULL when nothing is left. -#}
{% macro normalise_employer_name(expr) -%}
nullif(
    regexp_replace(
        regexp_replace(
            upper(({{ expr }})::text),
            '(^|[^[:alnum:]])(P\s*\.?\s*T|C\s*\.?\s*V|TBK|PERSERO|U\s*\.?\s*D|FIRMA)(\.|(?=[^[:alnum:]])|$)',
            ' ',
            'g'
        ),
        '[^[:alnum:]]+',
        '',
        'g'
    ),
    ''
)
{%- endmacro %}
