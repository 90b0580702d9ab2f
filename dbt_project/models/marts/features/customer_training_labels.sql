-- Labels of the churn and lifetime value models: one row per customer and training date of
-- customer_features_history (as_of_date = c360_as_of() minus each training offset, see
-- c360_training_offsets_days), measured on the window that starts on the training date and lasts the
-- horizon, [as_of_date, as_of_date + horizon days), which ends on or before the scoring date: churn_ columns
-- on the churn window (c360_churn_horizon_days()), clv_ columns on the CLV window (c360_clv_horizon_days()),
-- NULL on a date that is not that model's training date. Purchases are the features' (marts.customer_purchases,
-- macro c360_customer_purchases), compared on their UTC date. is_churned is NULL for a customer with no history
-- before the training date (not yet a customer, so nothing to churn from).
{%- set churn_horizon_days = c360_churn_horizon_days() %}
{%- set clv_horizon_days = c360_clv_horizon_days() %}
{%- set count_type = dbt.type_bigint() %}

with

customer_features_history as (
    select * from {{ ref('customer_features_history') }}
),

customer_purchases as (
    select * from {{ ref('customer_purchases') }}
),

-- Every customer at every training date, with the exclusive end of each label window it trains.
training_windows as (
    select
        customer_id,
        as_of_date,
        is_churn_training_date,
        is_clv_training_date,
        has_history_before_as_of,
        case
            when is_churn_training_date
                then cast({{ dbt.dateadd('day', churn_horizon_days, 'as_of_date') }} as date)
        end as churn_window_end_date,
        case
            when is_clv_training_date
                then cast({{ dbt.dateadd('day', clv_horizon_days, 'as_of_date') }} as date)
        end as clv_window_end_date
    from customer_features_history
    where is_churn_training_date or is_clv_training_date
),

-- Each purchase in a label window of its customer: on or after the training date, before the window's end.
window_purchases as (
    select
        training_windows.customer_id,
        training_windows.as_of_date,
        case
            when customer_purchases.purchase_date < training_windows.churn_window_end_date then 1 else 0
        end as is_in_churn_window,
        case
            when customer_purchases.purchase_date < training_windows.clv_window_end_date then 1 else 0
        end as is_in_clv_window,
        customer_purchases.amount_eur
    from training_windows
    inner join customer_purchases
        on
            training_windows.customer_id = customer_purchases.customer_id
            and training_windows.as_of_date <= customer_purchases.purchase_date
            and (
                training_windows.churn_window_end_date > customer_purchases.purchase_date
                or training_windows.clv_window_end_date > customer_purchases.purchase_date
            )
),

window_summary as (
    select
        customer_id,
        as_of_date,
        sum(is_in_churn_window) as churn_purchases_in_horizon,
        sum(case when is_in_churn_window = 1 then amount_eur else 0 end) as churn_spend_in_horizon_eur,
        sum(is_in_clv_window) as clv_purchases_in_horizon,
        sum(case when is_in_clv_window = 1 then amount_eur else 0 end) as clv_spend_in_horizon_eur
    from window_purchases
    group by customer_id, as_of_date
),

final as (
    select
        training_windows.customer_id,
        training_windows.as_of_date,
        training_windows.is_churn_training_date,
        training_windows.is_clv_training_date,
        training_windows.has_history_before_as_of,

        -- Churn: the churn horizon after the training date
        training_windows.churn_window_end_date,
        case
            when training_windows.is_churn_training_date
                then cast(coalesce(window_summary.churn_purchases_in_horizon, 0) as {{ count_type }})
        end as churn_purchases_in_horizon,
        case
            when training_windows.is_churn_training_date
                then cast(coalesce(window_summary.churn_spend_in_horizon_eur, 0) as decimal(18, 2))
        end as churn_spend_in_horizon_eur,
        case
            when training_windows.is_churn_training_date and training_windows.has_history_before_as_of
                then coalesce(window_summary.churn_purchases_in_horizon, 0) = 0
        end as is_churned,

        -- Lifetime value: the CLV horizon after the training date
        training_windows.clv_window_end_date,
        case
            when training_windows.is_clv_training_date
                then cast(coalesce(window_summary.clv_purchases_in_horizon, 0) as {{ count_type }})
        end as clv_purchases_in_horizon,
        case
            when training_windows.is_clv_training_date
                then cast(coalesce(window_summary.clv_spend_in_horizon_eur, 0) as decimal(18, 2))
        end as clv_spend_in_horizon_eur
    from training_windows
    left join window_summary
        on
            training_windows.customer_id = window_summary.customer_id
            and training_windows.as_of_date = window_summary.as_of_date
)

select * from final
