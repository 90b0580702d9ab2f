-- Point-in-time features of every golden customer as of c360_as_of() (env var C360_AS_OF, else the day after
-- the last order date), the input of the scores: the scoring-date rows of customer_features_history, which
-- joins them, with the training dates, from the feature families (models/intermediate/features). One row per
-- customer in `customers`; only rows dated strictly before the as-of date enter. Columns and semantics: see
-- _features__models.yml.
with

customer_features_history as (
    select * from {{ ref('customer_features_history') }}
),

final as (
    select
        customer_features_history.customer_id,
        customer_features_history.as_of_date,
        customer_features_history.has_history_before_as_of,
        customer_features_history.days_since_first_record,
        customer_features_history.tenure_days,
        customer_features_history.first_purchase_at,
        customer_features_history.last_purchase_at,
        customer_features_history.days_since_first_purchase,
        customer_features_history.recency_days,
        customer_features_history.purchase_count,
        customer_features_history.monetary_eur,
        customer_features_history.avg_purchase_value_eur,
        customer_features_history.mean_days_between_purchases,
        customer_features_history.cancelled_order_count,
        customer_features_history.erp_purchase_count,
        customer_features_history.erp_monetary_eur,
        customer_features_history.erp_recency_days,
        customer_features_history.web_shop_purchase_count,
        customer_features_history.web_shop_monetary_eur,
        customer_features_history.web_shop_recency_days,
        customer_features_history.pos_purchase_count,
        customer_features_history.pos_monetary_eur,
        customer_features_history.pos_recency_days,
        customer_features_history.game_purchase_count,
        customer_features_history.game_monetary_eur,
        customer_features_history.game_recency_days,
        customer_features_history.other_purchase_count,
        customer_features_history.other_monetary_eur,
        customer_features_history.other_recency_days,
        customer_features_history.purchase_count_30d,
        customer_features_history.purchase_count_prev_30d,
        customer_features_history.purchase_count_change_30d,
        customer_features_history.monetary_30d_eur,
        customer_features_history.monetary_prev_30d_eur,
        customer_features_history.monetary_change_30d_eur,
        customer_features_history.monetary_ratio_30d,
        customer_features_history.purchase_count_90d,
        customer_features_history.purchase_count_prev_90d,
        customer_features_history.purchase_count_change_90d,
        customer_features_history.monetary_90d_eur,
        customer_features_history.monetary_prev_90d_eur,
        customer_features_history.monetary_change_90d_eur,
        customer_features_history.monetary_ratio_90d,
        customer_features_history.web_clicks_30d,
        customer_features_history.product_views_30d,
        customer_features_history.add_to_carts_30d,
        customer_features_history.web_clicks_90d,
        customer_features_history.product_views_90d,
        customer_features_history.add_to_carts_90d,
        customer_features_history.days_since_last_web_click,
        customer_features_history.game_sessions_30d,
        customer_features_history.game_play_seconds_30d,
        customer_features_history.game_sessions_90d,
        customer_features_history.game_play_seconds_90d,
        customer_features_history.days_since_last_game_event,
        customer_features_history.campaign_exposures,
        customer_features_history.campaign_clicks,
        customer_features_history.campaign_click_rate,
        customer_features_history.campaign_conversions_14d,
        customer_features_history.category_count,
        customer_features_history.top_category,
        customer_features_history.top_category_spend_share
    from customer_features_history
    where customer_features_history.is_scoring_date
)

select * from final
