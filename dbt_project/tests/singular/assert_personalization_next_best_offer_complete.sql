-- next_best_offer is complete and consistent: every customer gets min(K, eligible offers left after the
-- purchase exclusion) offers ranked 1..n without gaps (at least one while any offer is eligible, so
-- K - excluded product offers is the floor), scores do not increase with the rank, cold_start_strategy is
-- `none` exactly for customers with product affinity, and no product offer is for a product the customer
-- bought in the exclusion window. Returns one row per customer that breaks a rule.
{%- set top_k = var('c360_nbo_top_k', 5) | int %}
{%- set exclude_days = var('c360_nbo_exclude_purchased_days', 30) | int %}

with

customers as (
    select * from {{ ref('int_customers_segmented') }}
),

offers as (
    select * from {{ ref('int_offers_eligible') }}
),

next_best_offer as (
    select * from {{ ref('next_best_offer') }}
),

affinity as (
    select distinct customer_id from {{ ref('product_affinity') }}
    where affinity_dimension = 'category'
),

interactions as (
    select * from {{ ref('int_product_interactions_unioned') }}
),

eligible_count as (
    select count(*) as offer_count from offers
),

per_customer as (
    select
        customer_id,
        count(*) as offer_count,
        max(offer_rank) as max_rank,
        min(cold_start_strategy) as min_strategy,
        max(cold_start_strategy) as max_strategy
    from next_best_offer
    group by customer_id
),

rank_order as (
    select
        customer_id,
        offer_score,
        lag(offer_score) over (partition by customer_id order by offer_rank) as previous_score
    from next_best_offer
),

score_breaks as (
    select distinct customer_id
    from rank_order
    where previous_score is not null and offer_score > previous_score + 0.000000001
),

excluded_bought as (
    select distinct next_best_offer.customer_id
    from next_best_offer
    inner join interactions
        on
            next_best_offer.customer_id = interactions.customer_id
            and next_best_offer.product_id = interactions.product_id
    where
        next_best_offer.offer_type = 'product'
        and interactions.interaction_type = 'purchase'
        and interactions.interaction_date < next_best_offer.as_of_date
        and interactions.interaction_date >= {{ dbt.dateadd('day', -exclude_days, 'next_best_offer.as_of_date') }}
),

checked as (
    select
        customers.customer_id,
        case
            when eligible_count.offer_count > 0 and per_customer.customer_id is null then 'customer without offers'
            when per_customer.offer_count <> per_customer.max_rank then 'ranks with gaps'
            when per_customer.offer_count > {{ top_k }} then 'more than K offers'
            when
                per_customer.offer_count < {{ top_k }}
                and per_customer.offer_count < eligible_count.offer_count - {{ top_k }}
                then 'fewer offers than eligible'
            when per_customer.min_strategy <> per_customer.max_strategy then 'several strategies'
            when (per_customer.min_strategy = 'none') <> (affinity.customer_id is not null)
                then 'strategy does not match history'
            when score_breaks.customer_id is not null then 'scores increase with rank'
            when excluded_bought.customer_id is not null then 'offer for a product bought in the exclusion window'
        end as failure
    from customers
    cross join eligible_count
    left join per_customer
        on customers.customer_id = per_customer.customer_id
    left join affinity
        on customers.customer_id = affinity.customer_id
    left join score_breaks
        on customers.customer_id = score_breaks.customer_id
    left join excluded_bought
        on customers.customer_id = excluded_bought.customer_id
),

final as (
    select * from checked
    where failure is not null
)

select * from final
