{#-
    CSV lines are read whole (see read_lake_source) and split here, so a line with the wrong number of
    fields is quarantined, not fatal. csv_fields() gives the list of a line's fields: RFC 4180 quoting
    ("a, b" is one field, "" inside quotes is a quote); fields spanning several lines are not supported
    (the lake contract has none). csv_field(fields, n) is the n-th field (1-based, NULL past the end);
    csv_field_count(fields) how many there are.
-#}
{% macro csv_fields(line, delimiter=',', quote='"') -%}
    {{ return(adapter.dispatch('csv_fields', 'c360')(line, delimiter, quote)) }}
{%- endmacro %}

{#- The field pattern: a quoted field ("" inside is a quote) or anything up to the delimiter; the
    delimiter sits in a character class, so '|' or '.' are taken literally. -#}
{% macro csv_field_pattern(delimiter, quote) -%}
    {%- set q = quote | replace("'", "''") -%}
    {{- '(' ~ q ~ '(?:[^' ~ q ~ ']|' ~ q ~ q ~ ')*' ~ q ~ '|[^' ~ delimiter ~ ']*)[' ~ delimiter ~ ']' -}}
{%- endmacro %}

{% macro default__csv_fields(line, delimiter=',', quote='"') -%}
    {%- set q = quote | replace("'", "''") -%}
    transform(
        regexp_extract_all(concat({{ line }}, '{{ delimiter }}'), '{{ csv_field_pattern(delimiter, quote) }}', 1),
        csv_field -> case
            when length(csv_field) >= 2 and csv_field like '{{ q }}%{{ q }}'
                then replace(substring(csv_field, 2, length(csv_field) - 2), '{{ q }}{{ q }}', '{{ q }}')
            else csv_field
        end
    )
{%- endmacro %}

{#- A line without a quote character splits on the delimiter alone (string_split, several times faster than
    the pattern); only lines with quotes take the RFC 4180 pattern. Both give the same fields. -#}
{% macro duckdb__csv_fields(line, delimiter=',', quote='"') -%}
    {%- set q = quote | replace("'", "''") -%}
    case
        when strpos({{ line }}, '{{ q }}') = 0 then string_split({{ line }}, '{{ delimiter }}')
        else list_transform(
            regexp_extract_all({{ line }} || '{{ delimiter }}', '{{ csv_field_pattern(delimiter, quote) }}', 1),
            lambda csv_field: case
                when length(csv_field) >= 2 and csv_field like '{{ q }}%{{ q }}'
                    then replace(csv_field[2:-2], '{{ q }}{{ q }}', '{{ q }}')
                else csv_field
            end
        )
    end
{%- endmacro %}


{% macro csv_field(fields, position) -%}
    {{ return(adapter.dispatch('csv_field', 'c360')(fields, position)) }}
{%- endmacro %}

{% macro default__csv_field(fields, position) -%}
    element_at({{ fields }}, {{ position }})
{%- endmacro %}

{% macro duckdb__csv_field(fields, position) -%}
    {{ fields }}[{{ position }}]
{%- endmacro %}


{% macro csv_field_count(fields) -%}
    {{ return(adapter.dispatch('csv_field_count', 'c360')(fields)) }}
{%- endmacro %}

{% macro default__csv_field_count(fields) -%}
    size({{ fields }})
{%- endmacro %}

{% macro duckdb__csv_field_count(fields) -%}
    len({{ fields }})
{%- endmacro %}
