-- No label looks past the scoring as-of date (c360_as_of()): every label window starts on its training date,
-- which lies before the scoring date, and ends (exclusive) on or before it, exactly horizon days after the
-- training date. Returns the offending rows.
{%- set windows = {
    'churn': c360_churn_horizon_days(),
    'clv': c360_clv_horizon_days(),
} %}

with

customer_training_labels as (
    select * from {{ ref('customer_training_labels') }}
),

as_of as (
    select {{ c360_as_of() }} as scoring_date
),

final as (
    select
        customer_training_labels.customer_id,
        customer_training_labels.as_of_date,
        customer_training_labels.churn_window_end_date,
        customer_training_labels.clv_window_end_date,
        as_of.scoring_date
    from customer_training_labels
    cross join as_of
    where
        customer_training_labels.as_of_date >= as_of.scoring_date
        {%- for window, horizon_days in windows.items() %}
            or customer_training_labels.{{ window }}_window_end_date > as_of.scoring_date
            or customer_training_labels.{{ window }}_window_end_date
            <> cast({{ dbt.dateadd('day', horizon_days, 'customer_training_labels.as_of_date') }} as date)
            or (
                customer_training_labels.is_{{ window }}_training_date
                and customer_training_labels.{{ window }}_window_end_date is null
            )
        {%- endfor %}
)

select * from final
