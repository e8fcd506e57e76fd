{#- Rank of a raw row among the rows that share its natural key: 1 = the one to keep (latest
    accepted batch, then highest row number). Rows without a key are never merged together. -#}
{% macro recency_rank(key_expr) -%}
row_number() over (
    partition by coalesce(({{ key_expr }})::text, batch_id || ':' || source_row_number::text)
    order by batch_loaded_at desc nulls last, batch_id desc, source_row_number desc
)
{%- endmacro %}

{#- 'L' (laki-laki) or 'P' (perempuan) from the spellings agencies use, else NULL. -#}
{% macro normalise_sex(expr) -%}
case regexp_replace(upper(btrim(({{ expr }})::text)), '[^A-Z]+', '', 'g')
    when 'L' then 'L' when 'LK' then 'L' when 'LAKILAKI' then 'L' when 'PRIA' then 'L'
    when 'M' then 'L' when 'MALE' then 'L'
    when 'P' then 'P' when 'PR' then 'P' when 'PEREMPUAN' then 'P' when 'WANITA' then 'P'
    when 'F' then 'P' when 'FEMALE' then 'P'
end
{%- endmacro %}

{#- Stay permit type: ITK, ITAS or ITAP (KITAS/KITAP are the card names of the same permits). -#}
{% macro normalise_permit_type(expr) -%}
case regexp_replace(upper(btrim(({{ expr }})::text)), '[^A-Z]+', '', 'g')
    when 'ITK' then 'ITK'
    when 'ITAS' then 'ITAS' when 'KITAS' then 'ITAS'
    when 'ITAP' then 'ITAP' when 'KITAP' then 'ITAP'
end
{%- endmacro %}

{#- Visa index code without spaces or punctuation: 'e 23', 'E-23' -> 'E23'. -#}
{% macro normalise_visa_index(expr) -%}
nullif(regexp_replace(upper(({{ expr }})::text), '[^A-Z0-9]+', '', 'g'), '')
{%- endmacro %}

{#- The raw rows of a feed whose batch passed gate 1 (docs/contracts.md: staging reads only
    accepted batches), with the batch's load time (orders duplicates: the latest batch wins) and
    acceptance time (the watermark incremental staging models select new batches by).
    `source_cte` names the CTE holding the raw table; `batch_condition` (SQL on load_ledger)
    narrows the batches, e.g. to those accepted since the last run: the raw rows are then looked
    up by `_batch_id = any(array(...))`, which lets PostgreSQL use the raw table's batch index
    instead of reading every batch ever loaded. -#}
{% macro accepted_rows(source_cte, batch_condition=none) -%}
select
    {{ source_cte }}.*,
    coalesce(load_ledger.loaded_at, load_ledger.received_at) as batch_loaded_at,
    coalesce(load_ledger.validated_at, load_ledger.loaded_at, load_ledger.received_at) as batch_accepted_at
from {{ source_cte }}
inner join {{ source('audit', 'load_ledger') }} as load_ledger
    on {{ source_cte }}._batch_id = load_ledger.batch_id
where
    load_ledger.status = 'accepted'
    {%- if batch_condition %}
    and ({{ batch_condition }})
    and {{ source_cte }}._batch_id = any(array(
        select load_ledger.batch_id
        from {{ source('audit', 'load_ledger') }} as load_ledger
        where load_ledger.status = 'accepted' and ({{ batch_condition }})
    ))
    {%- endif %}
{%- endmacro %}
