-- The enhanced customer dimension: the golden record, its point-in-time measures (customer_features as of
-- c360_as_of()), the scores the Python models wrote back (ml.churn_scores, ml.clv_scores,
-- ml.customer_segments), its affinities (product_affinity: top category and brand) and its next best offer.
-- One row per customer. A view, so it always shows the
-- latest scores without a copy. Scores are joined only when they were made as of the features' as-of date, so
-- a scoring step that failed never leaves old scores beside new features (its columns are NULL until it runs).
-- Personal data is in clear here (this is the dimension analysts join to); the BI serving layer publishes it
-- masked.
{%- set score_columns = {
    'churn': {
        'customer_id': dbt.type_string(),
        'churn_probability': dbt.type_float(),
        'model_version': dbt.type_string(),
        'as_of': 'date',
        'scored_at': dbt.type_timestamp(),
    },
    'clv': {
        'customer_id': dbt.type_string(),
        'clv_eur': dbt.type_float(),
        'model_version': dbt.type_string(),
        'as_of': 'date',
        'scored_at': dbt.type_timestamp(),
    },
    'segment': {
        'customer_id': dbt.type_string(),
        'segment': dbt.type_string(),
        'segment_probability': dbt.type_float(),
        'model_version': dbt.type_string(),
        'as_of': 'date',
        'scored_at': dbt.type_timestamp(),
    },
} %}

with

customers as (
    select * from {{ ref('customers') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

product_affinity as (
    select * from {{ ref('product_affinity') }}
),

next_best_offer as (
    select * from {{ ref('next_best_offer') }}
),

top_category_affinity as (
    select
        customer_id,
        affinity_value as top_affinity_category,
        affinity_share as top_affinity_category_share
    from product_affinity
    where affinity_dimension = 'category' and affinity_rank = 1
),

top_brand_affinity as (
    select
        customer_id,
        affinity_value as top_affinity_brand,
        affinity_share as top_affinity_brand_share
    from product_affinity
    where affinity_dimension = 'brand' and affinity_rank = 1
),

first_offer as (
    select
        customer_id,
        offer_id as next_best_offer_id,
        offer_score as next_best_offer_score,
        cold_start_strategy as next_best_offer_cold_start_strategy
    from next_best_offer
    where offer_rank = 1
),

churn_scores as (
    select * from {{ c360_ml_scores('churn_scores', score_columns['churn']) }}
),

clv_scores as (
    select * from {{ c360_ml_scores('clv_scores', score_columns['clv']) }}
),

customer_segments as (
    select * from {{ c360_ml_scores('customer_segments', score_columns['segment']) }}
),

final as (
    select
        -- Golden record
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.full_name,
        customers.email_address,
        customers.telephone_e164,
        customers.mobile_phone_e164,
        customers.address_line_1,
        customers.address_postal_code,
        customers.address_city,
        customers.address_country,
        customers.birth_date,
        customers.do_not_bulk_email,
        customers.source_record_count,
        customers.source_systems,
        customers.first_created_at,

        -- Measures as of the as-of date
        customer_features.as_of_date,
        customer_features.has_history_before_as_of,
        customer_features.tenure_days,
        customer_features.first_purchase_at,
        customer_features.last_purchase_at,
        customer_features.recency_days,
        customer_features.purchase_count,
        customer_features.monetary_eur,
        customer_features.avg_purchase_value_eur,
        customer_features.mean_days_between_purchases,
        customer_features.purchase_count_90d,
        customer_features.monetary_90d_eur,
        customer_features.erp_purchase_count,
        customer_features.web_shop_purchase_count,
        customer_features.pos_purchase_count,
        customer_features.game_purchase_count,
        customer_features.web_clicks_90d,
        customer_features.game_sessions_90d,
        customer_features.campaign_exposures,
        customer_features.campaign_click_rate,

        -- Affinities: spend so far (features) and recency-weighted interest (product_affinity)
        customer_features.category_count,
        customer_features.top_category,
        customer_features.top_category_spend_share,
        top_category_affinity.top_affinity_category,
        top_category_affinity.top_affinity_category_share,
        top_brand_affinity.top_affinity_brand,
        top_brand_affinity.top_affinity_brand_share,
        first_offer.next_best_offer_id,
        first_offer.next_best_offer_score,
        first_offer.next_best_offer_cold_start_strategy,

        -- Scores (NULL until the Python scoring assets have run)
        churn_scores.churn_probability,
        churn_scores.model_version as churn_model_version,
        clv_scores.clv_eur,
        clv_scores.model_version as clv_model_version,
        customer_segments.segment,
        customer_segments.segment_probability,
        customer_segments.model_version as segment_model_version,
        churn_scores.scored_at as churn_scored_at
    from customers
    left join customer_features
        on customers.customer_id = customer_features.customer_id
    left join top_category_affinity
        on customers.customer_id = top_category_affinity.customer_id
    left join top_brand_affinity
        on customers.customer_id = top_brand_affinity.customer_id
    left join first_offer
        on customers.customer_id = first_offer.customer_id
    left join churn_scores
        on
            customers.customer_id = churn_scores.customer_id
            and customer_features.as_of_date = churn_scores.as_of
    left join clv_scores
        on
            customers.customer_id = clv_scores.customer_id
            and customer_features.as_of_date = clv_scores.as_of
    left join customer_segments
        on
            customers.customer_id = customer_segments.customer_id
            and customer_features.as_of_date = customer_segments.as_of
)

select * from final
