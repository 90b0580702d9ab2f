{#- Text cleaning shared by every source. Portable SQL (dbt cross-database macros only). -#}

{#- Trim surrounding whitespace and turn the empty string into NULL. -#}
{% macro clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- "LAST, First" (ERP NAME1): part='last' -> "LAST", part='first' -> "First"; without a comma the whole
    value is the last name and the first name is NULL. Spelling is kept as the source wrote it. -#}
{% macro split_last_first_name(expression, part) -%}
    {%- if part == 'last' -%}
        nullif(trim(case
            when {{ dbt.position("','", expression) }} > 0 then {{ dbt.split_part(expression, "','", 1) }}
            else {{ expression }}
        end), '')
    {%- elif part == 'first' -%}
        nullif(trim(case
            when {{ dbt.position("','", expression) }} > 0 then {{ dbt.split_part(expression, "','", 2) }}
        end), '')
    {%- else -%}
        {{ exceptions.raise_compiler_error("split_last_first_name: part must be 'last' or 'first'") }}
    {%- endif -%}
{%- endmacro %}


{#- Map source flags to a boolean: true_values / false_values are lists of literal strings; anything
    else (including NULL) gives NULL, so a check can tell "unknown" from "invalid". -#}
{% macro parse_boolean(expression, true_values, false_values) -%}
    case when {{ expression }} in ('{{ true_values | join("', '") }}') then true
    {{- ' ' }}when {{ expression }} in ('{{ false_values | join("', '") }}') then false end
{%- endmacro %}


{#- Full-string regular-expression match; patterns avoid backslashes so they read the same in
    DuckDB (RE2) and Spark (Java) string literals. -#}
{% macro regex_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'c360')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}


{#- "First Last" from the two name parts; NULL when both are NULL. -#}
{% macro full_name(first_name, last_name) -%}
    nullif(trim({{ dbt.concat(["coalesce(" ~ first_name ~ ", '')", "' '", "coalesce(" ~ last_name ~ ", '')"]) }}), '')
{%- endmacro %}
