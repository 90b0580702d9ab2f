-- customer_360 for BI tools, with personal data masked (see the doc block serving_masking): no name,
-- e-mail address, phone number, street, full postcode or birth date in clear, and times to the day only. What
-- stays: the customer id (keyed with the warehouse's secret, so no source key can be traced from it; see
-- macros/identity/customer_id_key.sql), city and country, the postcode's first two
-- characters, an age band, the e-mail provider's domain when enough customers share it, contactability
-- flags, measures, affinities, offers and scores.
{%- set min_customers_per_email_domain = 5 %}

with

customer_360 as (
    select * from {{ ref('customer_360') }}
),

email_domains as (
    select
        customer_id,
        lower({{ dbt.split_part('email_address', "'@'", 2) }}) as email_domain
    from customer_360
    where email_address is not null
),

-- A domain few customers share (a family's own domain, a small employer) can name a person: it is
-- published only when at least min_customers_per_email_domain customers use it, else as 'other'.
email_domain_sizes as (
    select
        email_domain,
        count(*) as customer_count
    from email_domains
    group by email_domain
),

masked_email_domains as (
    select
        email_domains.customer_id,
        case
            when email_domain_sizes.customer_count >= {{ min_customers_per_email_domain }}
                then email_domains.email_domain
            else 'other'
        end as email_domain
    from email_domains
    inner join email_domain_sizes
        on email_domains.email_domain = email_domain_sizes.email_domain
),

final as (
    select
        -- Golden record, masked
        customer_360.customer_id,
        masked_email_domains.email_domain,
        customer_360.email_address is not null as has_email,
        customer_360.telephone_e164 is not null as has_telephone,
        customer_360.mobile_phone_e164 is not null as has_mobile_phone,
        customer_360.address_line_1 is not null as has_street_address,
        upper(substring(trim(customer_360.address_postal_code), 1, 2)) as address_postal_area,
        customer_360.address_city,
        customer_360.address_country,
        {{ c360_age_band('customer_360.birth_date', 'customer_360.as_of_date') }} as age_band,
        customer_360.do_not_bulk_email,
        customer_360.source_record_count,
        customer_360.source_systems,
        {{ dbt.date_trunc('day', 'customer_360.first_created_at') }} as first_created_at,

        -- Measures as of the as-of date
        customer_360.as_of_date,
        customer_360.has_history_before_as_of,
        customer_360.tenure_days,
        {{ dbt.date_trunc('day', 'customer_360.first_purchase_at') }} as first_purchase_at,
        {{ dbt.date_trunc('day', 'customer_360.last_purchase_at') }} as last_purchase_at,
        customer_360.recency_days,
        customer_360.purchase_count,
        customer_360.monetary_eur,
        customer_360.avg_purchase_value_eur,
        customer_360.mean_days_between_purchases,
        customer_360.purchase_count_90d,
        customer_360.monetary_90d_eur,
        customer_360.erp_purchase_count,
        customer_360.web_shop_purchase_count,
        customer_360.pos_purchase_count,
        customer_360.game_purchase_count,
        customer_360.web_clicks_90d,
        customer_360.game_sessions_90d,
        customer_360.campaign_exposures,
        customer_360.campaign_click_rate,

        -- Affinities and offers
        customer_360.category_count,
        customer_360.top_category,
        customer_360.top_category_spend_share,
        customer_360.top_affinity_category,
        customer_360.top_affinity_category_share,
        customer_360.top_affinity_brand,
        customer_360.top_affinity_brand_share,
        customer_360.next_best_offer_id,
        customer_360.next_best_offer_score,
        customer_360.next_best_offer_cold_start_strategy,

        -- Scores
        customer_360.churn_probability,
        customer_360.churn_model_version,
        customer_360.clv_eur,
        customer_360.clv_model_version,
        customer_360.segment,
        customer_360.segment_probability,
        customer_360.segment_model_version,
        customer_360.churn_scored_at
    from customer_360
    left join masked_email_domains
        on customer_360.customer_id = masked_email_domains.customer_id
)

select * from final
