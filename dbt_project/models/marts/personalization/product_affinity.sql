-- Recency-weighted product affinity of every customer with interactions before c360_as_of(), per product
-- category and per brand (affinity_dimension): each view, offer click, add-to-cart and purchase (all
-- channels, in-game included) weighs its type's weight (var c360_affinity_event_weights) times
-- 0.5 ^ (age in days / var c360_affinity_half_life_days); interactions older than var
-- c360_affinity_lookback_days are left out. Only interactions dated, and attributed to the customer, before
-- the as-of date count, so the mart is point in time. affinity_share is the score over the customer's total
-- in that dimension (shares of a customer sum to 1 per dimension).
{%- set lookback_days = var('c360_affinity_lookback_days', 365) | int %}

with

interactions as (
    select * from {{ ref('int_product_interactions_unioned') }}
),

as_of as (
    select {{ c360_as_of() }} as as_of_date
),

dated as (
    select
        interactions.customer_id,
        interactions.interaction_type,
        interactions.interaction_date,
        interactions.product_category,
        interactions.product_brand,
        {{ dbt.datediff('interactions.interaction_date', 'as_of.as_of_date', 'day') }} as days_before_as_of,
        as_of.as_of_date
    from interactions
    cross join as_of
    where
        interactions.interaction_date < as_of.as_of_date
        and cast(interactions.attributed_at as date) < as_of.as_of_date
        and interactions.interaction_date >= {{ dbt.dateadd('day', -lookback_days, 'as_of.as_of_date') }}
),

weighted as (
    select
        *,
        {{ c360_interaction_weight('interaction_type') }} * {{ c360_recency_weight('days_before_as_of') }}
            as interaction_weight
    from dated
),

by_dimension as (
    select
        customer_id,
        'category' as affinity_dimension,
        product_category as affinity_value,
        interaction_type,
        interaction_date,
        interaction_weight,
        as_of_date
    from weighted
    where product_category is not null

    union all

    select
        customer_id,
        'brand' as affinity_dimension,
        product_brand as affinity_value,
        interaction_type,
        interaction_date,
        interaction_weight,
        as_of_date
    from weighted
    where product_brand is not null
),

scored as (
    select
        customer_id,
        affinity_dimension,
        affinity_value,
        sum(interaction_weight) as affinity_score,
        sum(case when interaction_type = 'view' then 1 else 0 end) as view_count,
        sum(case when interaction_type = 'click' then 1 else 0 end) as click_count,
        sum(case when interaction_type = 'cart' then 1 else 0 end) as cart_count,
        sum(case when interaction_type = 'purchase' then 1 else 0 end) as purchase_count,
        max(interaction_date) as last_interaction_date,
        max(as_of_date) as as_of_date
    from by_dimension
    group by customer_id, affinity_dimension, affinity_value
),

final as (
    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(affinity_dimension as {{ dbt.type_string() }}) as affinity_dimension,
        cast(affinity_value as {{ dbt.type_string() }}) as affinity_value,
        cast(affinity_score as double) as affinity_score,
        cast(
            affinity_score / sum(affinity_score) over (partition by customer_id, affinity_dimension) as double
        ) as affinity_share,
        cast(row_number() over (
            partition by customer_id, affinity_dimension order by affinity_score desc, affinity_value asc
        ) as {{ dbt.type_bigint() }}) as affinity_rank,
        cast(view_count as {{ dbt.type_bigint() }}) as view_count,
        cast(click_count as {{ dbt.type_bigint() }}) as click_count,
        cast(cart_count as {{ dbt.type_bigint() }}) as cart_count,
        cast(purchase_count as {{ dbt.type_bigint() }}) as purchase_count,
        last_interaction_date,
        as_of_date
    from scored
    where affinity_score > 0
)

select * from final
