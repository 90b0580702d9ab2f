-- Next best offers for BI tools: every column of next_best_offer (the customer's surrogate id, offers and
-- scores; no personal data). Columns are listed, so a column added to the mart reaches BI only when added here.
with

next_best_offer as (
    select * from {{ ref('next_best_offer') }}
),

final as (
    select
        customer_id,
        offer_rank,
        offer_id,
        offer_score,
        cold_start_strategy,
        campaign_id,
        offer_type,
        product_id,
        product_category,
        discount_percentage,
        valid_from_date,
        valid_to_date,
        is_running_at_as_of,
        category_affinity_share,
        target_share_of_category,
        segment_popularity_score,
        as_of_date
    from next_best_offer
)

select * from final
