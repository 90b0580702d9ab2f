-- customer_features_history has exactly one row per customer of `customers` and distinct feature date (the
-- scoring date c360_as_of() and the training dates, c360_as_of() minus each of c360_training_offsets_days(...)):
-- returns a row when its row count differs from customers x feature dates, or when it does not hold the
-- expected feature dates.
{%- set horizons_days = [c360_churn_horizon_days(), c360_clv_horizon_days()] %}
{%- set training_offsets_days = c360_training_offsets_days(horizons_days) %}
{%- set feature_dates = ['scoring_date'] %}
{%- for offset in training_offsets_days %}
    {%- do feature_dates.append(dbt.dateadd('day', -offset, 'scoring_date')) %}
{%- endfor %}

with

customers as (
    select * from {{ ref('customers') }}
),

customer_features_history as (
    select * from {{ ref('customer_features_history') }}
),

as_of as (
    select {{ c360_as_of() }} as scoring_date
),

expected_dates as (
    {%- for feature_date in feature_dates %}
        select cast({{ feature_date }} as date) as as_of_date from as_of
        {% if not loop.last %}union{% endif %}
    {%- endfor %}
),

history_dates as (
    select distinct as_of_date from customer_features_history
),

row_counts as (
    select
        (select count(*) from customers) * (select count(*) from expected_dates) as expected_rows,
        (select count(*) from customer_features_history) as history_rows
),

count_mismatch as (
    select
        cast(null as date) as as_of_date,
        'row count differs from customers x feature dates' as problem,
        expected_rows,
        history_rows
    from row_counts
    where expected_rows <> history_rows
),

date_mismatch as (
    select
        coalesce(expected_dates.as_of_date, history_dates.as_of_date) as as_of_date,
        case
            when history_dates.as_of_date is null then 'feature date missing'
            else 'unexpected feature date'
        end as problem,
        cast(null as {{ dbt.type_bigint() }}) as expected_rows,
        cast(null as {{ dbt.type_bigint() }}) as history_rows
    from expected_dates
    full outer join history_dates
        on expected_dates.as_of_date = history_dates.as_of_date
    where
        (expected_dates.as_of_date is null or history_dates.as_of_date is null)
        -- a lake without customers (e.g. orders only) has no feature rows, so no dates either
        and (select count(*) from customers) > 0
),

final as (
    select * from count_mismatch
    union all
    select * from date_mismatch
)

select * from final
