{#-
    Shared helpers of the identity macros, dispatched where DuckDB and Spark differ.

    regexp_replace_all(expression, pattern, replacement)
        Every match replaced (DuckDB replaces only the first match without the 'g' flag; Spark always
        replaces all). Patterns avoid backslashes and capture groups so they read the same in RE2 and Java.
        regexp_replace_all("'a.b.c'", '[.]', '') -> 'abc'

    strip_accents(expression)
        Letters with diacritics -> base letter: 'éèçåüñ' -> 'ecaaun'. DuckDB has strip_accents(); Spark has
        none, so the default translates over a fixed table of Latin-1 / Latin Extended-A letters (lower
        and upper case). Letters that do not decompose (ß, æ, œ, ø, ł, đ) are handled by the caller.
-#}

{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'c360')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}


{% macro strip_accents(expression) -%}
    {{ return(adapter.dispatch('strip_accents', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__strip_accents(expression) -%}
    {%- set accented = 'àáâãäåāăąçćĉċčďèéêëēĕėęěĝğġģĥìíîïĩīĭįĵķĺļľñńņňòóôõöōŏőŕŗřśŝşšţťùúûüũūŭůűųŵýÿŷźżž' -%}
    {%- set plain = 'aaaaaaaaacccccdeeeeeeeeegggghiiiiiiiijklllnnnnoooooooorrrssssttuuuuuuuuuuwyyyzzz' -%}
    translate({{ expression }}, '{{ accented ~ accented | upper }}', '{{ plain ~ plain | upper }}')
{%- endmacro %}

{% macro duckdb__strip_accents(expression) -%}
    strip_accents({{ expression }})
{%- endmacro %}
