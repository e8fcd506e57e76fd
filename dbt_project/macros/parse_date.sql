{#- Text -> date for every format agencies send (docs/contracts.md, "Normalisation rules"):
      dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy (optionally followed by a time),
      yyyy-mm-dd (optionally followed by a time), an Excel serial day number 20000..80000
      (epoch 1899-12-30) and Indonesian/English month names (27 Okt 2025, 27 October 2025).
    Anything else, including impossible dates such as 31/02/2025, is NULL: the expression never
    raises, so one bad cell cannot stop a build (gate 1 counts the NULLs instead).
    Every make_date() sits behind a CASE that has already checked the ranges, because CASE is the
    only construct whose evaluation order PostgreSQL guarantees. -#}
{% macro parse_date(expr) -%}
{%- set value = 'btrim((' ~ expr ~ ')::text)' -%}
(
    -- fast paths for the formats nearly every file uses (dd/mm/yyyy with one separator repeated,
    -- yyyy-mm-dd, an Excel serial): substrings, no regex captures and no subquery per value. At
    -- millions of lodging reports the general path below costs several times more.
    case
        when {{ value }} ~ '^\d\d[/.-]\d\d[/.-]\d{4}$' and substr({{ value }}, 3, 1) = substr({{ value }}, 6, 1)
            then {{ _checked_make_date('substr(' ~ value ~ ', 7, 4)', 'substr(' ~ value ~ ', 4, 2)', 'substr(' ~ value ~ ', 1, 2)') }}
        when {{ value }} ~ '^\d{4}-\d\d-\d\d$'
            then {{ _checked_make_date('substr(' ~ value ~ ', 1, 4)', 'substr(' ~ value ~ ', 6, 2)', 'substr(' ~ value ~ ', 9, 2)') }}
        when {{ value }} ~ '^\d{5}$'
            then case
                when {{ value }}::int between 20000 and 80000 then date '1899-12-30' + {{ value }}::int
            end
        else {{ _parse_date_general(expr) }}
    end
)
{%- endmacro %}

{#- Every other format: one regexp_match per format, in a subquery so each runs once. -#}
{% macro _parse_date_general(expr) -%}
(
    select
        case
            when parts.iso is not null
                then {{ _checked_make_date('parts.iso[1]', 'parts.iso[2]', 'parts.iso[3]') }}
            when parts.dmy is not null and parts.dmy[2] = parts.dmy[4]
                then {{ _checked_make_date('parts.dmy[5]', 'parts.dmy[3]', 'parts.dmy[1]') }}
            when parts.serial is not null
                then case
                    when parts.serial[1]::int between 20000 and 80000
                        then date '1899-12-30' + parts.serial[1]::int
                end
            when parts.named is not null
                then {{ _checked_make_date('parts.named[3]', _month_number('parts.named[2]'), 'parts.named[1]') }}
        end
    from (
        select
            regexp_match(
                input.value,
                '^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$'
            ) as iso,
            regexp_match(
                input.value,
                '^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})(?:,?\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$'
            ) as dmy,
            regexp_match(input.value, '^(\d{5})(?:\.\d+)?$') as serial,
            regexp_match(lower(input.value), '^(\d{1,2})(?:\s+|-|\s*\.\s*)([a-z]+)\.?(?:\s+|-)(\d{4})$') as named
        from (select btrim(({{ expr }})::text) as value) as input
        -- offset 0 keeps PostgreSQL from inlining this subquery, which would copy each
        -- regexp_match into every reference to its result (dozens of regex runs per value)
        offset 0
    ) as parts
)
{%- endmacro %}

{#- make_date(y, m, d) only when the three text parts form a real date, else NULL. -#}
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
