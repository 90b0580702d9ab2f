{#-
    Recency-weighted affinity (models/marts/personalization, see their docs).

    c360_affinity_half_life_days()
        var c360_affinity_half_life_days (default 60): an interaction this many days before the as-of date
        counts half as much as one on the day before it; twice as old, a quarter.

    c360_affinity_event_weights()
        var c360_affinity_event_weights (default {view: 1, click: 2, cart: 4, purchase: 8}): the weight of
        one interaction of each type; the order view < click < cart < purchase is checked.

    c360_recency_weight(days_before_column)
        SQL: 0.5 ^ (days before the as-of date / half-life), portable (power() on DuckDB and Spark).

    c360_interaction_weight(type_column)
        SQL: the weight of the interaction type in type_column (0 for an unknown type).
-#}

{% macro c360_affinity_half_life_days() -%}
    {%- set half_life = var('c360_affinity_half_life_days', 60) -%}
    {%- if execute and (half_life | float) <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "c360_affinity_half_life_days must be a positive number of days, got '" ~ half_life ~ "'"
        ) }}
    {%- endif -%}
    {{ return(half_life | float) }}
{%- endmacro %}

{% macro c360_affinity_event_weights() -%}
    {%- set defaults = {'view': 1.0, 'click': 2.0, 'cart': 4.0, 'purchase': 8.0} -%}
    {%- set configured = var('c360_affinity_event_weights', defaults) -%}
    {%- set weights = {} -%}
    {%- for event_type in ['view', 'click', 'cart', 'purchase'] -%}
        {%- do weights.update({event_type: (configured.get(event_type, defaults[event_type])) | float}) -%}
    {%- endfor -%}
    {%- if execute and not (0 <= weights.view <= weights.click <= weights.cart <= weights.purchase) -%}
        {{ exceptions.raise_compiler_error(
            "c360_affinity_event_weights must satisfy 0 <= view <= click <= cart <= purchase, got " ~ weights
        ) }}
    {%- endif -%}
    {{ return(weights) }}
{%- endmacro %}

{% macro c360_recency_weight(days_before_column) -%}
    power(0.5, cast({{ days_before_column }} as double) / {{ c360_affinity_half_life_days() }})
{%- endmacro %}

{% macro c360_interaction_weight(type_column) -%}
    {%- set weights = c360_affinity_event_weights() -%}
    case
        when {{ type_column }} = 'view' then {{ weights.view }}
        when {{ type_column }} = 'click' then {{ weights.click }}
        when {{ type_column }} = 'cart' then {{ weights.cart }}
        when {{ type_column }} = 'purchase' then {{ weights.purchase }}
        else 0.0
    end
{%- endmacro %}


{#-
    c360_age_band(birth_date_column, as_of_column)
        SQL: the age band at the as-of date, part of the cold-start segment proxy: 'under_25', '25_34',
        '35_49', '50_64', '65_plus' or 'unknown' (no birth date). Whole years from the day difference
        (365.25 days a year), portable.
-#}
{% macro c360_age_band(birth_date_column, as_of_column) -%}
    {%- set age_years = 'floor(' ~ dbt.datediff(birth_date_column, as_of_column, 'day') ~ ' / 365.25)' -%}
    case
        when {{ birth_date_column }} is null then 'unknown'
        when {{ age_years }} < 25 then 'under_25'
        when {{ age_years }} < 35 then '25_34'
        when {{ age_years }} < 50 then '35_49'
        when {{ age_years }} < 65 then '50_64'
        else '65_plus'
    end
{%- endmacro %}
