{#- The combination of columns is unique, NULLs counting as a value (a grain with an unresolved
    region_code must still hold one row per combination). -#}
{% test unique_combination(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
