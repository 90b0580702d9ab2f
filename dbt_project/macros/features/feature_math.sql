{#-
    Small portable helpers for customer features.

    days_before(earlier_date, later_date)
        Whole days from earlier_date to later_date (dates): 1 when earlier_date is the day before.

    safe_ratio(numerator, denominator)
        numerator / denominator as a double, NULL when the denominator is 0 or NULL (never an error).

    type_double()
        A 64-bit float type. dbt.type_float() is FLOAT, which DuckDB reads as a 4-byte REAL; DuckDB and
        Spark both call the 8-byte type DOUBLE, other adapters fall back to dbt.type_float().
-#}

{% macro days_before(earlier_date, later_date) -%}
    {{ dbt.datediff(earlier_date, later_date, 'day') }}
{%- endmacro %}

{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0)
{%- endmacro %}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'c360')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return(dbt.type_float()) }}
{%- endmacro %}

{% macro duckdb__type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro spark__type_double() -%}
    {{ return('double') }}
{%- endmacro %}
