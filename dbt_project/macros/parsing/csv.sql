{#-
    CSV lines are read whole (see read_lake_source) and split here, so a line with the wrong number of
    fields is quarantined, not fatal. csv_fields() gives the list of a line's fields: RFC 4180 quoting
    ("a, b" is one field, "" inside quotes is a quote); fields spanning several lines are not supported
    (the lake contract has none). csv_field(fields, n) is the n-th field (1-based, NULL past the end);
    csv_field_count(fields) how many there are.
-#}
{% macro csv_fields(line, delimiter=',') -%}
    {{ return(adapter.dispatch('csv_fields', 'c360')(line, delimiter)) }}
{%- endmacro %}

{% macro default__csv_fields(line, delimiter=',') -%}
    transform(
        regexp_extract_all(concat({{ line }}, '{{ delimiter }}'), '("(?:[^"]|"")*"|[^{{ delimiter }}]*){{ delimiter }}', 1),
        csv_field -> case
            when length(csv_field) >= 2 and csv_field like '"%"'
                then replace(substring(csv_field, 2, length(csv_field) - 2), '""', '"')
            else csv_field
        end
    )
{%- endmacro %}

{% macro duckdb__csv_fields(line, delimiter=',') -%}
    list_transform(
        regexp_extract_all({{ line }} || '{{ delimiter }}', '("(?:[^"]|"")*"|[^{{ delimiter }}]*){{ delimiter }}', 1),
        lambda csv_field: case
            when length(csv_field) >= 2 and csv_field like '"%"'
                then replace(csv_field[2:-2], '""', '"')
            else csv_field
        end
    )
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
