-- The feature dates of customer_features_history, one row per date: the scoring date c360_as_of() (env var
-- C360_AS_OF, else the day after the last order date) and the training dates c360_as_of() minus each of
-- c360_training_offsets_days(...) (dbt vars c360_training_*). A training date trains each model whose label
-- window, its horizon (c360_churn_horizon_days() / c360_clv_horizon_days()), ends by the scoring date; one
-- date can carry both roles. Every feature family (models/intermediate/features) joins to this one spine.
{%- set horizons_days = {'churn': c360_churn_horizon_days(), 'clv': c360_clv_horizon_days()} %}
{%- set training_offsets_days = c360_training_offsets_days(horizons_days.values() | list) %}

with

as_of as (
    select {{ c360_as_of() }} as scoring_date
),

-- The feature dates, one row per date and role: the scoring date, and each training date of
-- c360_training_offsets_days(...) in the role of every model whose label window ends by the scoring date.
feature_date_roles as (
    select
        scoring_date as as_of_date,
        'scoring' as feature_set
    from as_of
    {%- for offset in training_offsets_days %}
        {%- for role, horizon_days in horizons_days.items() %}
            {%- if offset >= horizon_days %}

                union all

                select
                    cast({{ dbt.dateadd('day', -offset, 'scoring_date') }} as date) as as_of_date,
                    '{{ role }}_training' as feature_set
                from as_of
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

final as (
    select
        as_of_date,
        case
            when max(case when feature_set = 'scoring' then 1 else 0 end) = 1 then 'scoring'
            when min(feature_set) <> max(feature_set) then 'churn_and_clv_training'
            else min(feature_set)
        end as feature_set,
        max(case when feature_set = 'scoring' then 1 else 0 end) = 1 as is_scoring_date,
        max(case when feature_set = 'churn_training' then 1 else 0 end) = 1 as is_churn_training_date,
        max(case when feature_set = 'clv_training' then 1 else 0 end) = 1 as is_clv_training_date
    from feature_date_roles
    group by as_of_date
)

select * from final
