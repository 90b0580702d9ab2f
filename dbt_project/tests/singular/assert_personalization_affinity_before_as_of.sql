-- product_affinity is point in time: recomputing the interaction counts from int_product_interactions_unioned
-- with only rows dated and attributed before the as-of date (and within the lookback) gives the same
-- purchase and view counts per customer and category. Returns the rows that differ.
{%- set lookback_days = var('c360_affinity_lookback_days', 365) | int %}

with

interactions as (
    select * from {{ ref('int_product_interactions_unioned') }}
),

affinity as (
    select * from {{ ref('product_affinity') }}
    where affinity_dimension = 'category'
),

as_of as (
    select {{ c360_as_of() }} as as_of_date
),

expected as (
    select
        interactions.customer_id,
        interactions.product_category,
        sum(case when interactions.interaction_type = 'purchase' then 1 else 0 end) as purchase_count,
        sum(case when interactions.interaction_type = 'view' then 1 else 0 end) as view_count
    from interactions
    cross join as_of
    where
        interactions.product_category is not null
        and interactions.interaction_date < as_of.as_of_date
        and cast(interactions.attributed_at as date) < as_of.as_of_date
        and interactions.interaction_date >= {{ dbt.dateadd('day', -lookback_days, 'as_of.as_of_date') }}
    group by interactions.customer_id, interactions.product_category
),

final as (
    select
        coalesce(expected.customer_id, affinity.customer_id) as customer_id,
        coalesce(expected.product_category, affinity.affinity_value) as product_category,
        expected.purchase_count as expected_purchases,
        affinity.purchase_count as affinity_purchases,
        expected.view_count as expected_views,
        affinity.view_count as affinity_views
    from expected
    full outer join affinity
        on
            expected.customer_id = affinity.customer_id
            and expected.product_category = affinity.affinity_value
    where
        expected.customer_id is null
        or affinity.customer_id is null
        or expected.purchase_count <> affinity.purchase_count
        or expected.view_count <> affinity.view_count
)

select * from final
