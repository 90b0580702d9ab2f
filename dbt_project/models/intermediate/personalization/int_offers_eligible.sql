-- The offers next_best_offer may recommend at c360_as_of(), one per target (a product, or a category):
-- an offer is eligible when it and its campaign have started by the as-of date and it is running then, or
-- ended at most var c360_nbo_offer_reuse_days days before it (a past offer's terms are re-issued: the lake's
-- marketing calendar is a record of the offers run, and may have none running at the as-of date). Of
-- several offers for one target the running one wins, then the latest, the larger discount, the smaller id.
-- target_share_of_category is the likelihood that interest in the category goes to the offer's target: 1
-- for a category offer; for a product offer, the product's share of the recency-weighted interactions
-- (product_affinity's weights, all customers, before the as-of date) with its category.
{%- set reuse_days = var('c360_nbo_offer_reuse_days', 365) | int %}
{%- set lookback_days = var('c360_affinity_lookback_days', 365) | int %}

with

offers as (
    select * from {{ ref('stg_marketing__offers') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

interactions as (
    select * from {{ ref('int_product_interactions_unioned') }}
),

as_of as (
    select {{ c360_as_of() }} as as_of_date
),

weighted_interactions as (
    select
        interactions.product_id,
        interactions.product_category,
        {{ c360_interaction_weight('interactions.interaction_type') }}
        * {{ c360_recency_weight(dbt.datediff('interactions.interaction_date', 'as_of.as_of_date', 'day')) }}
            as interaction_weight
    from interactions
    cross join as_of
    where
        interactions.interaction_date < as_of.as_of_date
        and interactions.interaction_date >= {{ dbt.dateadd('day', -lookback_days, 'as_of.as_of_date') }}
        and interactions.product_category is not null
),

category_weights as (
    select
        product_category,
        sum(interaction_weight) as category_weight
    from weighted_interactions
    group by product_category
),

product_weights as (
    select
        product_id,
        sum(interaction_weight) as product_weight
    from weighted_interactions
    where product_id is not null
    group by product_id
),

started as (
    select
        offers.offer_id,
        offers.campaign_id,
        offers.offer_type,
        offers.product_id,
        coalesce(products.category, offers.product_category) as product_category,
        products.brand as product_brand,
        offers.discount_percentage,
        offers.valid_from_date,
        offers.valid_to_date,
        offers.valid_to_date >= as_of.as_of_date as is_running_at_as_of,
        as_of.as_of_date
    from offers
    inner join campaigns
        on offers.campaign_id = campaigns.campaign_id
    cross join as_of
    left join products
        on offers.product_id = products.product_id
    where
        offers.valid_from_date <= as_of.as_of_date
        and campaigns.start_date <= as_of.as_of_date
        and offers.valid_to_date >= {{ dbt.dateadd('day', -reuse_days, 'as_of.as_of_date') }}
        and (offers.offer_type <> 'product' or offers.product_id is not null)
        and coalesce(products.category, offers.product_category) is not null
),

ranked as (
    select
        *,
        case when offer_type = 'product' then product_id else product_category end as offer_target,
        row_number() over (
            partition by offer_type, case when offer_type = 'product' then product_id else product_category end
            order by
                case when is_running_at_as_of then 0 else 1 end,
                valid_to_date desc,
                discount_percentage desc,
                offer_id asc
        ) as target_rank
    from started
),

final as (
    select
        ranked.offer_id,
        ranked.campaign_id,
        ranked.offer_type,
        ranked.offer_target,
        ranked.product_id,
        ranked.product_category,
        ranked.product_brand,
        ranked.discount_percentage,
        ranked.valid_from_date,
        ranked.valid_to_date,
        ranked.is_running_at_as_of,
        case
            when ranked.offer_type = 'category' then 1.0
            when category_weights.category_weight > 0
                then coalesce(product_weights.product_weight, 0.0) / category_weights.category_weight
            else 0.0
        end as target_share_of_category,
        ranked.as_of_date
    from ranked
    left join category_weights
        on ranked.product_category = category_weights.product_category
    left join product_weights
        on ranked.product_id = product_weights.product_id
    where ranked.target_rank = 1
)

select * from final
