-- The rolling-origin backtests of the churn and lifetime value models for BI tools: per past origin, candidate
-- family and metric, how a model fitted on what was known before the origin did on the window after it
-- (ml.model_backtests, ml/backtest.py). No customer data: one figure per origin, candidate and metric.
{%- set backtest_columns = {
    'model_name': dbt.type_string(),
    'mlflow_run_id': dbt.type_string(),
    'kind': dbt.type_string(),
    'origin_date': 'date',
    'window_days': dbt.type_int(),
    'horizon_days': dbt.type_int(),
    'candidate': dbt.type_string(),
    'training': dbt.type_string(),
    'rows_train': dbt.type_bigint(),
    'rows_evaluated': dbt.type_bigint(),
    'metric': dbt.type_string(),
    'value': dbt.type_float(),
} %}

with

backtests as (
    select * from {{ c360_ml_scores('model_backtests', backtest_columns) }}
),

final as (
    select
        model_name,
        mlflow_run_id,
        kind,
        origin_date,
        window_days,
        horizon_days,
        candidate,
        training,
        rows_train,
        rows_evaluated,
        metric,
        value
    from backtests
)

select * from final
