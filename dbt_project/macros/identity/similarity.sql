{#-
    String similarity for the identity compare step, dispatched because DuckDB and Spark differ.
    Both return a number in [0, 1] (1 = identical) and NULL when either side is NULL.

    jaro_winkler_similarity(left_expression, right_expression)
        DuckDB: the built-in jaro_winkler_similarity(). Spark has no Jaro-Winkler, so the default__
        FALLS BACK to levenshtein_ratio (below): a different, usually lower, score for the same pair
        (it gives no bonus for a shared prefix), so thresholds tuned on DuckDB are approximate on Spark.
            'jon', 'john' -> 0.93 (DuckDB), 0.75 (default)

    levenshtein_ratio(left_expression, right_expression)
        1 - levenshtein distance / length of the longer string; levenshtein() exists in DuckDB and Spark.
            'meyer', 'maier' -> 0.6
-#}

{% macro jaro_winkler_similarity(left_expression, right_expression) -%}
    {{ return(adapter.dispatch('jaro_winkler_similarity', 'c360')(left_expression, right_expression)) }}
{%- endmacro %}

{% macro default__jaro_winkler_similarity(left_expression, right_expression) -%}
    {{ levenshtein_ratio(left_expression, right_expression) }}
{%- endmacro %}

{% macro duckdb__jaro_winkler_similarity(left_expression, right_expression) -%}
    jaro_winkler_similarity({{ left_expression }}, {{ right_expression }})
{%- endmacro %}


{% macro levenshtein_ratio(left_expression, right_expression) -%}
    case
        when {{ left_expression }} = {{ right_expression }} then 1.0
        when {{ left_expression }} is not null and {{ right_expression }} is not null
            then 1.0 - levenshtein({{ left_expression }}, {{ right_expression }})
            / greatest({{ dbt.length(left_expression) }}, {{ dbt.length(right_expression) }})
    end
{%- endmacro %}
