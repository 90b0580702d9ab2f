-- Web engagement of each customer at each feature date of int_feature_dates_listed: the resolved clickstream
-- events (int_click_events_resolved) dated strictly before it, counted over the last N days (days 1-N before
-- the date). One row per customer and date with at least one such click; customer_features_history fills
-- the others.
{%- set windows = c360_feature_windows_days() %}
{%- set count_type = dbt.type_bigint() %}

with

click_events as (
    select * from {{ ref('int_click_events_resolved') }}
),

feature_dates as (
    select * from {{ ref('int_feature_dates_listed') }}
),

-- Each resolved click before each feature date, with its age in days at that date (1 = the day before).
clicks as (
    select
        click_events.customer_id,
        feature_dates.as_of_date,
        click_events.event_type,
        {{ days_before('click_events.event_date', 'feature_dates.as_of_date') }} as days_ago
    from click_events
    inner join feature_dates
        on click_events.event_date < feature_dates.as_of_date
    where click_events.customer_id is not null
),

final as (
    select
        customer_id,
        as_of_date,
        {%- for window in windows %}
            cast(
                sum(case when days_ago <= {{ window }} then 1 else 0 end) as {{ count_type }}
            ) as web_clicks_{{ window }}d,
            cast(
                sum(case when days_ago <= {{ window }} and event_type = 'product_view' then 1 else 0 end)
                as {{ count_type }}
            ) as product_views_{{ window }}d,
            cast(
                sum(case when days_ago <= {{ window }} and event_type = 'add_to_cart' then 1 else 0 end)
                as {{ count_type }}
            ) as add_to_carts_{{ window }}d,
        {%- endfor %}
        min(days_ago) as days_since_last_web_click
    from clicks
    group by customer_id, as_of_date
)

select * from final
