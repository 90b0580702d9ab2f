{#-
    c360_as_of()
        The point in time of customer features and scores, as a SQL date expression. Features use only
        rows dated strictly before it.
          - C360_AS_OF set and non-empty: that date, which must be written YYYY-MM-DD (a compiler error
            names the variable otherwise), e.g. C360_AS_OF=2026-06-30 -> cast('2026-06-30' as date).
          - C360_AS_OF unset or empty: "the last day in the data" (DESIGN.md), i.e. the day after the
            latest order_date in marts.sales_orders, so the last lake day is included. A scalar subquery:
            select it once (e.g. in a one-row CTE) rather than in every predicate.
        It always refs sales_orders, so the dependency graph does not change with the variable.
        Checked only when dbt executes SQL, so `dbt parse` and the linter work with any value.

    c360_is_iso_date(value)
        True when value is a calendar date written YYYY-MM-DD (month 01-12, day within the month).
-#}

{% macro c360_as_of() -%}
    {%- set sales_orders = ref('sales_orders') -%}
    {%- set configured = env_var('C360_AS_OF', '') | trim -%}
    {%- if configured == '' -%}
        (select cast({{ dbt.dateadd('day', 1, 'max(order_date)') }} as date) from {{ sales_orders }})
    {%- else -%}
        {%- if execute and not c360_is_iso_date(configured) -%}
            {{ exceptions.raise_compiler_error(
                "C360_AS_OF must be a date written YYYY-MM-DD (e.g. 2026-06-30), but it is '" ~ configured
                ~ "'. Fix it, or unset it to compute features as of the last day in the data "
                ~ "(the day after the latest order_date in marts.sales_orders)."
            ) }}
        {%- endif -%}
        cast('{{ configured }}' as date)
    {%- endif -%}
{%- endmacro %}

{% macro c360_is_iso_date(value) -%}
    {%- set match = modules.re.match('^([0-9]{4})-([0-9]{2})-([0-9]{2})$', value) -%}
    {%- if not match -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year = match.group(1) | int -%}
    {%- set month = match.group(2) | int -%}
    {%- set day = match.group(3) | int -%}
    {%- set is_leap_year = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set days_in_month = [31, 29 if is_leap_year else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{ return(year >= 1 and month >= 1 and month <= 12 and day >= 1 and day <= days_in_month[month - 1]) }}
{%- endmacro %}
