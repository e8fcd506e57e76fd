{#- delete+insert for the incremental models (dbt's default, one change): with a single-column
    unique key the rows to replace are found by `key = any(array(...))`, which PostgreSQL answers
    with the key's index. dbt's `key in (select ...)` is planned as a hash join that reads the
    whole table, so a day's delta cost grew with years of history. -#}
{% macro postgres__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- if unique_key is string or (unique_key is sequence and unique_key | length == 1) -%}
        {%- set key = unique_key if unique_key is string else unique_key[0] -%}
        {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
        delete from {{ target }} as DBT_INTERNAL_DEST
        where DBT_INTERNAL_DEST.{{ key }} = any(array(
            select distinct DBT_INTERNAL_SOURCE.{{ key }}
            from {{ source }} as DBT_INTERNAL_SOURCE
            where DBT_INTERNAL_SOURCE.{{ key }} is not null
        ))
        {%- for predicate in incremental_predicates or [] %}
            and {{ predicate }}
        {%- endfor %};

        insert into {{ target }} ({{ dest_cols_csv }})
        (
            select {{ dest_cols_csv }}
            from {{ source }}
        )
    {%- else -%}
        {{ default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
    {%- endif -%}
{%- endmacro %}
