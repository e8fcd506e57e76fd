{#- Text -> date, as every layer reads dates: a call of the warehouse function staging.parse_date,
    defined once in macros/udfs/parse_date_udf.sql (formats: docs/contracts.md, "Normalisation
    rules"). NULL for anything it cannot read; gate 1 counts those values, per column and row. -#}
{% macro parse_date(expr) -%}
staging.parse_date(({{ expr }})::text)
{%- endmacro %}

{#- The distinct texts of `columns` of `relation`, each read once by parse_date: rows (date_text,
    parsed_date). A model joins them back by text (`column = date_text`; a NULL text matches none,
    and parse_date reads NULL for it anyway): millions of reports carry a few thousand distinct
    date texts, so a row costs a hash lookup instead of a parse. -#}
{% macro distinct_parsed_dates(relation, columns) -%}
select
    texts.date_text,
    {{ parse_date('texts.date_text') }} as parsed_date
from {{ relation }}
cross join lateral (
    values {% for column in columns %}({{ relation }}.{{ column }}){{ ", " if not loop.last }}{% endfor %}
) as texts (date_text)
where texts.date_text is not null
group by texts.date_text
{%- endmacro %}
