-- No customer feature looks at or past the as-of date: every row carries the configured as-of date
-- (c360_as_of()), purchases lie strictly before it, and every "days since" is at least 1 (a row of the
-- day before the as-of date). The same holds for every row of customer_features_history against its own
-- as_of_date, which is never after the scoring date. Returns the offending rows.
{%- set days_since_columns = [
    'days_since_first_record', 'tenure_days', 'days_since_first_purchase', 'recency_days',
    'erp_recency_days', 'web_shop_recency_days', 'pos_recency_days', 'game_recency_days',
    'days_since_last_web_click', 'days_since_last_game_event',
] %}

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

customer_features_history as (
    select * from {{ ref('customer_features_history') }}
),

as_of as (
    select {{ c360_as_of() }} as as_of_date
),

scoring_date_violations as (
    select
        customer_features.customer_id,
        customer_features.as_of_date,
        as_of.as_of_date as expected_as_of_date,
        customer_features.first_purchase_at,
        customer_features.last_purchase_at,
        customer_features.recency_days
    from customer_features
    cross join as_of
    where
        customer_features.as_of_date is null
        or customer_features.as_of_date <> as_of.as_of_date
        or customer_features.first_purchase_at >= cast(as_of.as_of_date as {{ dbt.type_timestamp() }})
        or customer_features.last_purchase_at >= cast(as_of.as_of_date as {{ dbt.type_timestamp() }})
        {%- for column in days_since_columns %}
            or customer_features.{{ column }} < 1
        {%- endfor %}
),

history_violations as (
    select
        customer_features_history.customer_id,
        customer_features_history.as_of_date,
        as_of.as_of_date as expected_as_of_date,
        customer_features_history.first_purchase_at,
        customer_features_history.last_purchase_at,
        customer_features_history.recency_days
    from customer_features_history
    cross join as_of
    where
        customer_features_history.as_of_date is null
        or customer_features_history.as_of_date > as_of.as_of_date
        or customer_features_history.is_scoring_date <> (customer_features_history.as_of_date = as_of.as_of_date)
        or customer_features_history.first_purchase_at
        >= cast(customer_features_history.as_of_date as {{ dbt.type_timestamp() }})
        or customer_features_history.last_purchase_at
        >= cast(customer_features_history.as_of_date as {{ dbt.type_timestamp() }})
        {%- for column in days_since_columns %}
            or customer_features_history.{{ column }} < 1
        {%- endfor %}
),

final as (
    select * from scoring_date_violations
    union all
    select * from history_violations
)

select * from final
