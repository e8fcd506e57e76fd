{#- THE date reader of the warehouse: `staging.parse_date(text) -> date`, the one definition that
    staging (macro parse_date) and gate 1 (pantau.quality.sql_checks) both call
    (docs/contracts.md, "Normalisation rules").

    Accepted, with surrounding spaces: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy (one separator,
    repeated; optionally followed by a time HH:MM[:SS], ':' or '.', after a space or ', '),
    yyyy-mm-dd (optionally followed by a time HH:MM[:SS[.ffffff]] after a space or 'T', and a
    zone 'Z' / +HH:MM / +HHMM), an Excel serial day number 20000..80000 (epoch 1899-12-30, a
    fraction of a day ignored) and Indonesian/English month names (27 Okt 2025, 27 October 2025,
    27-Oct-2025). Written years 1900..2100 (a serial has its own range). Anything else is NULL, calendar-impossible dates (31/02/2025,
    29/02/2025, 00/07/2025, 15/13/2025) and impossible times (25:00) included: the function never
    raises, so one bad cell cannot stop a build; gate 1 counts every non-empty value it reads as NULL.

    Pure Jinja on purpose (no dbt context): dbt installs it in on-run-start (macro install_udfs)
    and pantau.warehouse.bootstrap renders this same file to install it on a warehouse dbt has
    never run on, before gate 1 judges the first file. Installed only when the text differs, so
    a routine run changes nothing and dbt (owner: pantau_transformer) can replace it after an upgrade.

    `staging.parse_date` is a one-expression SQL function, which PostgreSQL inlines into the
    calling query: the formats nearly every file uses (dd/mm/yyyy, yyyy-mm-dd, a serial) cost
    substrings, no function call; every other shape goes to `staging.parse_date_general`. -#}
{% macro parse_date_udf_sql(schema='staging') -%}
{%- set general_body -%}
declare
    value text := lower(btrim(raw_value));
    m text[];
    y text;
    mo text;
    d text;
begin
    if value is null or value = '' then
        return null;
    end if;
    m := regexp_match(value, '^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:\s+|t)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:z|[+-]\d{2}:?[0-5]\d)?)?$');
    if m is not null then
        y := m[1]; mo := m[2]; d := m[3];
    else
        m := regexp_match(value, '^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})(?:,?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$');
        if m is not null then
            if m[2] <> m[4] then
                return null;
            end if;
            y := m[5]; mo := m[3]; d := m[1];
            m := array[null, null, null, m[6], m[7], m[8]];
        end if;
    end if;
    if y is not null then
        -- a time, when written, must be a time of day
        if m[4] is not null and (m[4]::int > 23 or m[5]::int > 59 or coalesce(m[6]::int, 0) > 59) then
            return null;
        end if;
        return {{ _checked_make_date('y', 'mo', 'd') }};
    end if;
    m := regexp_match(value, '^(\d{5})(?:\.\d+)?$');
    if m is not null then
        return case when m[1]::int between 20000 and 80000 then date '1899-12-30' + m[1]::int end;
    end if;
    m := regexp_match(value, '^(\d{1,2})(?:\s+|-|\s*\.\s*)([a-z]+)\.?(?:\s+|-)(\d{4})$');
    if m is null then
        return null;
    end if;
    mo := {{ _month_number('m[2]') }};
    return {{ _checked_make_date('m[3]', 'mo', 'm[1]') }};
end
{%- endset -%}
{%- set value = 'btrim(raw_value)' -%}
{%- set main_body -%}
select case
    when {{ value }} ~ '^\d\d[/.-]\d\d[/.-]\d{4}$' and substr({{ value }}, 3, 1) = substr({{ value }}, 6, 1)
        then {{ _checked_make_date('substr(' ~ value ~ ', 7, 4)', 'substr(' ~ value ~ ', 4, 2)', 'substr(' ~ value ~ ', 1, 2)') }}
    when {{ value }} ~ '^\d{4}-\d\d-\d\d$'
        then {{ _checked_make_date('substr(' ~ value ~ ', 1, 4)', 'substr(' ~ value ~ ', 6, 2)', 'substr(' ~ value ~ ', 9, 2)') }}
    when {{ value }} ~ '^\d{5}$'
        then case when {{ value }}::int between 20000 and 80000 then date '1899-12-30' + {{ value }}::int end
    when {{ value }} = ''
        then null
    else {{ schema }}.parse_date_general(raw_value)
end
{%- endset -%}
-- installs {{ schema }}.parse_date (pantau: dbt_project/macros/udfs/parse_date_udf.sql)
do $install$
begin
    if coalesce((select prosrc from pg_proc where oid = to_regprocedure('{{ schema }}.parse_date_general(text)')), '')
        <> $general${{ general_body }}$general$ then
        create or replace function {{ schema }}.parse_date_general(raw_value text) returns date
        language plpgsql immutable parallel safe as $general${{ general_body }}$general$;
    end if;
    if coalesce((select prosrc from pg_proc where oid = to_regprocedure('{{ schema }}.parse_date(text)')), '')
        <> $main${{ main_body }}$main$ then
        -- not strict and no SET clause: both would stop PostgreSQL inlining the function
        create or replace function {{ schema }}.parse_date(raw_value text) returns date
        language sql immutable parallel safe as $main${{ main_body }}$main$;
    end if;
end
$install$
{%- endmacro %}

{#- make_date(y, m, d) only when the three text parts form a real date in 1900..2100, else NULL.
    A CASE guards every cast and make_date: CASE is the only construct whose evaluation order
    PostgreSQL guarantees. -#}
{% macro _checked_make_date(year, month, day) -%}
case
    when ({{ month }}) is not null
        and ({{ year }})::int between 1900 and 2100
        and ({{ month }})::int between 1 and 12
        then case
            -- days in the month by arithmetic (leap years included), cheaper than date arithmetic
            when ({{ day }})::int between 1 and case ({{ month }})::int
                when 2 then case
                    when ({{ year }})::int % 4 = 0 and (({{ year }})::int % 100 <> 0 or ({{ year }})::int % 400 = 0)
                        then 29
                    else 28
                end
                when 4 then 30 when 6 then 30 when 9 then 30 when 11 then 30
                else 31
            end
                then make_date(({{ year }})::int, ({{ month }})::int, ({{ day }})::int)
        end
end
{%- endmacro %}

{#- Indonesian and English month names and their usual abbreviations -> '1'..'12' (text), else NULL. -#}
{% macro _month_number(name) -%}
case {{ name }}
    when 'jan' then '1' when 'januari' then '1' when 'january' then '1'
    when 'feb' then '2' when 'peb' then '2' when 'februari' then '2' when 'pebruari' then '2' when 'february' then '2'
    when 'mar' then '3' when 'maret' then '3' when 'march' then '3'
    when 'apr' then '4' when 'april' then '4'
    when 'mei' then '5' when 'may' then '5'
    when 'jun' then '6' when 'juni' then '6' when 'june' then '6'
    when 'jul' then '7' when 'juli' then '7' when 'july' then '7'
    when 'agu' then '8' when 'agt' then '8' when 'ags' then '8' when 'agus' then '8' when 'agustus' then '8'
    when 'aug' then '8' when 'august' then '8'
    when 'sep' then '9' when 'sept' then '9' when 'september' then '9'
    when 'okt' then '10' when 'oct' then '10' when 'oktober' then '10' when 'october' then '10'
    when 'nov' then '11' when 'nop' then '11' when 'november' then '11' when 'nopember' then '11'
    when 'des' then '12' when 'dec' then '12' when 'desember' then '12' when 'december' then '12'
end
{%- endmacro %}
