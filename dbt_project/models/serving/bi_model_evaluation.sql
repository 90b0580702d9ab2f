-- The evaluation charts of the champion models for BI tools: one row per point of each chart (churn ROC,
-- calibration and lift; CLV gains and predicted vs actual; segment confusion and sizes), as the Python
-- training drew them on its holdout (ml.model_evaluation_points). No customer data: curves and counts.
{%- set point_columns = {
    'model_name': dbt.type_string(),
    'model_version': dbt.type_string(),
    'mlflow_run_id': dbt.type_string(),
    'chart': dbt.type_string(),
    'series': dbt.type_string(),
    'x_label': dbt.type_string(),
    'y_label': dbt.type_string(),
    'point_index': dbt.type_int(),
    'x': dbt.type_float(),
    'y': dbt.type_float(),
    'x_category': dbt.type_string(),
} %}

with

evaluation_points as (
    select * from {{ c360_ml_scores('model_evaluation_points', point_columns) }}
),

final as (
    select
        model_name,
        model_version,
        mlflow_run_id,
        chart,
        series,
        point_index,
        x_label,
        x,
        x_category,
        y_label,
        y
    from evaluation_points
)

select * from final
