{#-
    JSON lines are read as text and parsed here, so a broken line is quarantined instead of failing the
    read or being skipped. Paths are JSONPath as both engines take them ('$.a.b').
-#}

{#- TRUE when the text is a JSON object, FALSE otherwise (broken JSON, arrays, scalars, NULL). -#}
{% macro json_is_object(expression) -%}
    {{ return(adapter.dispatch('json_is_object', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__json_is_object(expression) -%}
    coalesce(from_json({{ expression }}, 'map<string,string>') is not null, false)
{%- endmacro %}

{#-
    DuckDB's reader is lenient: it takes a trailing comma ('{"a": 1,}') and NaN or Infinity, which JSON
    forbids. Such a line is broken JSON too: outside string values (blanked first, only on the few lines
    where a cheap scan finds a candidate), no comma may precede a closing bracket and no NaN or Infinity
    may stand.
-#}
{% macro duckdb__json_is_object(expression) -%}
    {%- set outside_strings = "regexp_replace(" ~ expression ~ ", '\"(?:[^\"\\\\]|\\\\.)*\"', '\"\"', 'g')" -%}
    (
        coalesce(case when json_valid({{ expression }}) then json_type({{ expression }}) = 'OBJECT' end, false)
        and not coalesce(case
            when regexp_matches({{ expression }}, ',[ \t\r\n]*[\]}]')
                or contains({{ expression }}, 'NaN') or contains({{ expression }}, 'Infinity')
                then regexp_matches({{ outside_strings }}, ',[ \t\r\n]*[\]}]|\bNaN\b|\bInfinity\b')
        end, false)
    )
{%- endmacro %}


{#- The value at a path as text (objects and arrays as JSON text); NULL when absent or JSON null. -#}
{% macro json_text(expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'c360')(expression, path)) }}
{%- endmacro %}

{% macro default__json_text(expression, path) -%}
    get_json_object({{ expression }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_text(expression, path) -%}
    json_extract_string({{ expression }}, '{{ path }}')
{%- endmacro %}


{#-
    The texts at several paths of one JSON value, parsed once (each json_text parses the value again): an
    expression for a list column read with lake_list_element, as json_text would give each. Empty where the
    engine has no such form; the caller then reads each path with json_text.
-#}
{% macro json_texts(expression, paths) -%}
    {{ return(adapter.dispatch('json_texts', 'c360')(expression, paths)) }}
{%- endmacro %}

{% macro default__json_texts(expression, paths) -%}
{%- endmacro %}

{% macro duckdb__json_texts(expression, paths) -%}
    json_extract_string({{ expression }}, [{{ lake_sql_strings(paths) }}])
{%- endmacro %}


{#- The JSON type at a path: 'object', 'array', 'string', 'number', 'boolean', 'null' or NULL if absent. -#}
{% macro json_type_at(expression, path) -%}
    {{ return(adapter.dispatch('json_type_at', 'c360')(expression, path)) }}
{%- endmacro %}

{% macro default__json_type_at(expression, path) -%}
    case
        when get_json_object({{ expression }}, '{{ path }}') is null then null
        when json_array_length(get_json_object({{ expression }}, '{{ path }}')) is not null then 'array'
        when get_json_object({{ expression }}, '{{ path }}') like '{{ '{' }}%' then 'object'
        else 'scalar'
    end
{%- endmacro %}

{% macro duckdb__json_type_at(expression, path) -%}
    case lower(json_type({{ expression }}, '{{ path }}'))
        when 'varchar' then 'string'
        when 'bigint' then 'number'
        when 'ubigint' then 'number'
        when 'double' then 'number'
        when 'hugeint' then 'number'
        else lower(json_type({{ expression }}, '{{ path }}'))
    end
{%- endmacro %}


{#-
    FROM-clause fragment: one row per element of the JSON array at `path` of `expression` (rows whose
    array is empty or absent produce no rows). Exposes <alias>.<index_column> (1-based position) and
    <alias>.<element_column> (the element as JSON text).
-#}
{% macro json_array_elements(expression, path, alias, index_column, element_column) -%}
    {{ return(adapter.dispatch('json_array_elements', 'c360')(expression, path, alias, index_column, element_column)) }}
{%- endmacro %}

{% macro default__json_array_elements(expression, path, alias, index_column, element_column) -%}
    {#- Spark 3.4+: a lateral subquery over the posexplode generator (0-based position). -#}
    cross join lateral (
        select
            exploded.pos + 1 as {{ index_column }},
            exploded.col as {{ element_column }}
        from posexplode(from_json(get_json_object({{ expression }}, '{{ path }}'), 'array<string>')) as exploded
    ) as {{ alias }}
{%- endmacro %}

{% macro duckdb__json_array_elements(expression, path, alias, index_column, element_column) -%}
    cross join lateral (
        select
            array_position.position + 1 as {{ index_column }},
            cast(json_extract(
                {{ expression }}, '{{ path }}[' || cast(array_position.position as varchar) || ']'
            ) as varchar) as {{ element_column }}
        from range(cast(coalesce(json_array_length({{ expression }}, '{{ path }}'), 0) as bigint))
            as array_position (position)
    ) as {{ alias }}
{%- endmacro %}
