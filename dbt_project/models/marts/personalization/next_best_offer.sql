-- The top K (var c360_nbo_top_k) eligible offers for every customer as of c360_as_of(), with score, rank
-- and the cold-start strategy that produced them. Eligible offers: int_offers_eligible, minus product
-- offers for a product the customer bought in the var c360_nbo_exclude_purchased_days days before the
-- as-of date. The score estimates how likely the customer is to buy the offer's target: the interest in
-- its category times target_share_of_category (1 for a category offer, the product's share of its
-- category for a product offer). Interest of a customer with history (cold_start_strategy = none):
--   category affinity_share x (1 + var c360_nbo_brand_weight x brand affinity_share, product offers)
--   + var c360_nbo_popularity_blend x the category's popularity in the customer's region x segment
--     (global when the cell is too small), which orders categories the customer has not touched yet.
-- A customer without history gets the category's popularity in their region x segment (region_segment)
-- or, when that cell is too small, over everyone (global). Ties go to the globally more popular
-- category, then the smaller offer id.
{%- set top_k = var('c360_nbo_top_k', 5) | int %}
{%- set exclude_days = var('c360_nbo_exclude_purchased_days', 30) | int %}
{%- set brand_weight = var('c360_nbo_brand_weight', 0.5) | float %}
{%- set popularity_blend = var('c360_nbo_popularity_blend', 0.25) | float %}

with

segments as (
    select * from {{ ref('int_customers_segmented') }}
),

offers as (
    select * from {{ ref('int_offers_eligible') }}
),

affinity as (
    select * from {{ ref('product_affinity') }}
),

popularity as (
    select * from {{ ref('cold_start_affinity') }}
),

interactions as (
    select * from {{ ref('int_product_interactions_unioned') }}
),

as_of as (
    select {{ c360_as_of() }} as as_of_date
),

customers_with_history as (
    select distinct customer_id
    from affinity
    where affinity_dimension = 'category'
),

segment_cells as (
    select distinct
        region_code,
        age_band
    from popularity
    where popularity_scope = 'region_segment'
),

recently_bought as (
    select distinct
        interactions.customer_id,
        interactions.product_id
    from interactions
    cross join as_of
    where
        interactions.interaction_type = 'purchase'
        and interactions.product_id is not null
        and interactions.interaction_date < as_of.as_of_date
        and interactions.interaction_date >= {{ dbt.dateadd('day', -exclude_days, 'as_of.as_of_date') }}
),

customers as (
    select
        segments.customer_id,
        segments.region_code,
        segments.age_band,
        case
            when customers_with_history.customer_id is not null then 'none'
            when segment_cells.region_code is not null then 'region_segment'
            else 'global'
        end as cold_start_strategy,
        segment_cells.region_code is not null as has_segment_popularity
    from segments
    left join customers_with_history
        on segments.customer_id = customers_with_history.customer_id
    left join segment_cells
        on
            segments.region_code = segment_cells.region_code
            and segments.age_band = segment_cells.age_band
),

candidates as (
    select
        customers.customer_id,
        customers.cold_start_strategy,
        customers.has_segment_popularity,
        customers.region_code,
        customers.age_band,
        offers.offer_id,
        offers.campaign_id,
        offers.offer_type,
        offers.product_id,
        offers.product_category,
        offers.product_brand,
        offers.discount_percentage,
        offers.valid_from_date,
        offers.valid_to_date,
        offers.is_running_at_as_of,
        offers.target_share_of_category
    from customers
    cross join offers
    left join recently_bought
        on
            customers.customer_id = recently_bought.customer_id
            and offers.product_id = recently_bought.product_id
    where recently_bought.customer_id is null
),

scored as (
    select
        candidates.*,
        coalesce(global_popularity.popularity_score, 0.0) as global_popularity_score,
        case
            when candidates.has_segment_popularity then coalesce(segment_popularity.popularity_score, 0.0)
            else coalesce(global_popularity.popularity_score, 0.0)
        end as segment_popularity_score,
        coalesce(category_affinity.affinity_share, 0.0) as category_share,
        case
            when candidates.offer_type = 'product' then coalesce(brand_affinity.affinity_share, 0.0)
            else 0.0
        end as brand_share
    from candidates
    left join affinity as category_affinity
        on
            candidates.customer_id = category_affinity.customer_id
            and category_affinity.affinity_dimension = 'category'
            and candidates.product_category = category_affinity.affinity_value
    left join affinity as brand_affinity
        on
            candidates.customer_id = brand_affinity.customer_id
            and brand_affinity.affinity_dimension = 'brand'
            and candidates.product_brand = brand_affinity.affinity_value
    left join popularity as segment_popularity
        on
            segment_popularity.popularity_scope = 'region_segment'
            and candidates.region_code = segment_popularity.region_code
            and candidates.age_band = segment_popularity.age_band
            and candidates.product_category = segment_popularity.product_category
    left join popularity as global_popularity
        on
            global_popularity.popularity_scope = 'global'
            and candidates.product_category = global_popularity.product_category
),

ranked as (
    select
        *,
        case
            when cold_start_strategy = 'none'
                then
                    (
                        category_share * (1 + {{ brand_weight }} * brand_share)
                        + {{ popularity_blend }} * segment_popularity_score
                    ) * target_share_of_category
            else segment_popularity_score * target_share_of_category
        end as offer_score
    from scored
),

numbered as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by offer_score desc, global_popularity_score desc, offer_id asc
        ) as offer_rank
    from ranked
),

final as (
    select
        cast(numbered.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(numbered.offer_rank as {{ dbt.type_bigint() }}) as offer_rank,
        cast(numbered.offer_id as {{ dbt.type_string() }}) as offer_id,
        cast(numbered.offer_score as double) as offer_score,
        cast(numbered.cold_start_strategy as {{ dbt.type_string() }}) as cold_start_strategy,
        cast(numbered.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(numbered.offer_type as {{ dbt.type_string() }}) as offer_type,
        cast(numbered.product_id as {{ dbt.type_string() }}) as product_id,
        cast(numbered.product_category as {{ dbt.type_string() }}) as product_category,
        cast(numbered.discount_percentage as double) as discount_percentage,
        numbered.valid_from_date,
        numbered.valid_to_date,
        numbered.is_running_at_as_of,
        cast(numbered.category_share as double) as category_affinity_share,
        cast(numbered.target_share_of_category as double) as target_share_of_category,
        cast(numbered.segment_popularity_score as double) as segment_popularity_score,
        as_of.as_of_date
    from numbered
    cross join as_of
    where numbered.offer_rank <= {{ top_k }}
)

select * from final
