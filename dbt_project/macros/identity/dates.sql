{#-
    Dates for identity resolution (portable SQL: extract and make_date exist in DuckDB and Spark).

    date_day_month_swapped(expression)
        The date with day and month swapped, so the compare step can tolerate a transposition typed as
        DD/MM vs MM/DD. NULL when the swap is not a date (day > 12) or gives the same date (day = month).
            2000-12-03 -> 2000-03-12
            2000-01-25 -> NULL (there is no month 25)
            2000-05-05 -> NULL (nothing to swap)
-#}

{% macro date_day_month_swapped(expression) -%}
    case
        when extract(day from {{ expression }}) <= 12
            and extract(day from {{ expression }}) <> extract(month from {{ expression }})
            then make_date(
                cast(extract(year from {{ expression }}) as integer),
                cast(extract(day from {{ expression }}) as integer),
                cast(extract(month from {{ expression }}) as integer)
            )
    end
{%- endmacro %}
