-- Campaign responses of each customer at each feature date of int_feature_dates_listed: messages sent
-- (holdouts received nothing) before it, those clicked before it, and those converted: followed by a
-- purchase (marts.customer_purchases, any channel) at or after the sending time and at most 14 days later by
-- date, and, like every purchase in the features, dated before the same feature date. One row per customer
-- and date with at least one message sent before it; customer_features_history fills the others.
{%- set conversion_window_days = 14 %}
{%- set count_type = dbt.type_bigint() %}

with

campaign_exposures as (
    select * from {{ ref('int_campaign_exposures_resolved') }}
),

customer_purchases as (
    select * from {{ ref('customer_purchases') }}
),

feature_dates as (
    select * from {{ ref('int_feature_dates_listed') }}
),

-- Each message sent before each feature date, and whether it was clicked before that date.
exposures_sent as (
    select
        campaign_exposures.exposure_id,
        campaign_exposures.customer_id,
        feature_dates.as_of_date,
        campaign_exposures.sent_at,
        cast(campaign_exposures.sent_at as date) as sent_date,
        case
            when cast(campaign_exposures.clicked_at as date) < feature_dates.as_of_date then 1 else 0
        end as is_clicked
    from campaign_exposures
    inner join feature_dates
        on cast(campaign_exposures.sent_at as date) < feature_dates.as_of_date
    where
        campaign_exposures.customer_id is not null
        and not campaign_exposures.is_holdout
),

exposures_converted as (
    select distinct
        exposures_sent.exposure_id,
        exposures_sent.as_of_date
    from exposures_sent
    inner join customer_purchases
        on
            exposures_sent.customer_id = customer_purchases.customer_id
            and exposures_sent.as_of_date > customer_purchases.purchase_date
            and exposures_sent.sent_at <= customer_purchases.purchased_at
            and {{ days_before('exposures_sent.sent_date', 'customer_purchases.purchase_date') }}
            <= {{ conversion_window_days }}
),

campaign_summary as (
    select
        exposures_sent.customer_id,
        exposures_sent.as_of_date,
        count(*) as campaign_exposures,
        sum(exposures_sent.is_clicked) as campaign_clicks,
        count(exposures_converted.exposure_id) as campaign_conversions
    from exposures_sent
    left join exposures_converted
        on
            exposures_sent.exposure_id = exposures_converted.exposure_id
            and exposures_sent.as_of_date = exposures_converted.as_of_date
    group by exposures_sent.customer_id, exposures_sent.as_of_date
),

final as (
    select
        customer_id,
        as_of_date,
        cast(campaign_exposures as {{ count_type }}) as campaign_exposures,
        cast(campaign_clicks as {{ count_type }}) as campaign_clicks,
        {{ safe_ratio('campaign_clicks', 'campaign_exposures') }} as campaign_click_rate,
        cast(campaign_conversions as {{ count_type }}) as campaign_conversions_{{ conversion_window_days }}d
    from campaign_summary
)

select * from final
