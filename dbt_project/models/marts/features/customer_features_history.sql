-- Point-in-time features of every golden customer at each feature date, in one set-based pass: the scoring
-- date c360_as_of() (env var C360_AS_OF, else the day after the last order date) and the training dates of
-- the churn and CLV models, c360_as_of() minus each of c360_training_offsets_days(...) (default 90, 120, ..., 240
-- and 365 days; dbt vars c360_training_*): a date trains a model when its label window, the model's horizon
-- (c360_churn_horizon_days() / c360_clv_horizon_days()), ends by the scoring date; one date can carry both
-- roles. One row per customer in `customers` and feature date. At
-- each date only rows dated strictly before it enter, compared on their UTC date: every filter compares a row
-- with its own as_of_date. A customer without history gets 0 counts and amounts and NULL recencies, ratios
-- and categories. "Purchases" are sales orders of every channel that were not
-- cancelled plus in-game purchases; windows count whole days back from the as-of date (the last 30 days =
-- days 1-30 before it, the 30 days before that = days 31-60).
{#- 'other': the channels of mapped order sources that are none of these (e.g. a marketplace). -#}
{%- set purchase_channels = ['erp', 'web_shop', 'pos', 'game', 'other'] %}
{%- set windows = [30, 90] %}
{%- set conversion_window_days = 14 %}
{%- set count_type = dbt.type_bigint() %}
{%- set horizons_days = {'churn': c360_churn_horizon_days(), 'clv': c360_clv_horizon_days()} %}
{%- set training_offsets_days = c360_training_offsets_days(horizons_days.values() | list) %}

with

customers as (
    select * from {{ ref('customers') }}
),

sales_orders as (
    select * from {{ ref('sales_orders') }}
),

game_events as (
    select * from {{ ref('stg_game__game_events') }}
),

game_accounts as (
    select * from {{ ref('int_game_accounts_resolved') }}
),

click_events as (
    select * from {{ ref('int_click_events_resolved') }}
),

campaign_exposures as (
    select * from {{ ref('int_campaign_exposures_resolved') }}
),

order_lines_unioned as (
    select * from {{ ref('int_sales_order_lines_unioned') }}
),


products as (
    select * from {{ ref('stg_reference__products') }}
),

as_of as (
    select {{ c360_as_of() }} as scoring_date
),

-- The feature dates, one row per date and role: the scoring date, and each training date of
-- c360_training_offsets_days(...) in the role of every model whose label window ends by the scoring date.
feature_date_roles as (
    select
        scoring_date as as_of_date,
        'scoring' as feature_set
    from as_of
    {%- for offset in training_offsets_days %}
        {%- for role, horizon_days in horizons_days.items() %}
            {%- if offset >= horizon_days %}

                union all

                select
                    cast({{ dbt.dateadd('day', -offset, 'scoring_date') }} as date) as as_of_date,
                    '{{ role }}_training' as feature_set
                from as_of
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

feature_dates as (
    select
        as_of_date,
        max(case when feature_set = 'scoring' then 1 else 0 end) = 1 as is_scoring_date,
        max(case when feature_set = 'churn_training' then 1 else 0 end) = 1 as is_churn_training_date,
        max(case when feature_set = 'clv_training' then 1 else 0 end) = 1 as is_clv_training_date,
        case
            when max(case when feature_set = 'scoring' then 1 else 0 end) = 1 then 'scoring'
            when min(feature_set) <> max(feature_set) then 'churn_and_clv_training'
            else min(feature_set)
        end as feature_set
    from feature_date_roles
    group by as_of_date
),

-- Game telemetry of the customers' game accounts (every date; each use below filters on its feature date).
customer_game_events as (
    select
        game_accounts.customer_id,
        game_events.event_type,
        game_events.event_at,
        game_events.event_date,
        game_events.session_id,
        game_events.session_duration_seconds,
        game_events.amount_eur
    from game_events
    inner join game_accounts
        on game_events.customer_contact_id = game_accounts.customer_contact_id
    where game_accounts.customer_id is not null
),

-- Purchases of resolved customers (macro c360_customer_purchases, shared with customer_training_labels).
-- Channels other than erp, web_shop, pos and game count as 'other' (test channel_purchase_counts_add_up).
purchases_unioned as (
    {{ c360_customer_purchases('sales_orders', 'game_events', 'game_accounts') | indent(4) }}
),

-- Each purchase before each feature date, with its age in days at that date (1 = the day before).
purchases as (
    select
        purchases_unioned.*,
        feature_dates.as_of_date,
        {{ days_before('purchases_unioned.purchase_date', 'feature_dates.as_of_date') }} as days_ago,
        case
            when purchases_unioned.channel in ({{ lake_sql_strings(purchase_channels[:-1]) }})
                then purchases_unioned.channel
            else 'other'
        end as purchase_channel
    from purchases_unioned
    inner join feature_dates
        on purchases_unioned.purchase_date < feature_dates.as_of_date
),

purchase_summary as (
    select
        customer_id,
        as_of_date,
        min(purchased_at) as first_purchase_at,
        max(purchased_at) as last_purchase_at,
        max(days_ago) as days_since_first_purchase,
        min(days_ago) as recency_days,
        count(*) as purchase_count,
        sum(amount_eur) as monetary_eur,
        {%- for channel in purchase_channels %}
            sum(case when purchase_channel = '{{ channel }}' then 1 else 0 end) as {{ channel }}_purchase_count,
            sum(case when purchase_channel = '{{ channel }}' then amount_eur else 0 end) as {{ channel }}_monetary_eur,
            min(case when purchase_channel = '{{ channel }}' then days_ago end) as {{ channel }}_recency_days,
        {%- endfor %}
        {%- for window in windows %}
            sum(case when days_ago <= {{ window }} then 1 else 0 end) as purchase_count_{{ window }}d,
            sum(
                case when days_ago > {{ window }} and days_ago <= {{ 2 * window }} then 1 else 0 end
            ) as purchase_count_prev_{{ window }}d,
            sum(case when days_ago <= {{ window }} then amount_eur else 0 end) as monetary_{{ window }}d_eur,
            sum(
                case when days_ago > {{ window }} and days_ago <= {{ 2 * window }} then amount_eur else 0 end
            ) as monetary_prev_{{ window }}d_eur{% if not loop.last %},{% endif %}
        {%- endfor %}
    from purchases
    group by customer_id, as_of_date
),

cancelled_orders as (
    select
        sales_orders.customer_id,
        feature_dates.as_of_date,
        count(*) as cancelled_order_count
    from sales_orders
    inner join feature_dates
        on sales_orders.order_date < feature_dates.as_of_date
    where
        sales_orders.customer_id is not null
        and sales_orders.order_status = 'cancelled'
    group by sales_orders.customer_id, feature_dates.as_of_date
),

-- Web engagement: resolved clicks before each feature date.
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

click_summary as (
    select
        customer_id,
        as_of_date,
        {%- for window in windows %}
            sum(case when days_ago <= {{ window }} then 1 else 0 end) as web_clicks_{{ window }}d,
            sum(
                case when days_ago <= {{ window }} and event_type = 'product_view' then 1 else 0 end
            ) as product_views_{{ window }}d,
            sum(
                case when days_ago <= {{ window }} and event_type = 'add_to_cart' then 1 else 0 end
            ) as add_to_carts_{{ window }}d,
        {%- endfor %}
        min(days_ago) as days_since_last_web_click
    from clicks
    group by customer_id, as_of_date
),

-- Game engagement: telemetry of the customer's game accounts before each feature date.
game_activity as (
    select
        customer_game_events.customer_id,
        feature_dates.as_of_date,
        customer_game_events.event_type,
        customer_game_events.session_id,
        customer_game_events.session_duration_seconds,
        {{ days_before('customer_game_events.event_date', 'feature_dates.as_of_date') }} as days_ago
    from customer_game_events
    inner join feature_dates
        on customer_game_events.event_date < feature_dates.as_of_date
),

game_summary as (
    select
        customer_id,
        as_of_date,
        {%- for window in windows %}
            count(distinct case when days_ago <= {{ window }} then session_id end) as game_sessions_{{ window }}d,
            sum(
                case
                    when days_ago <= {{ window }} and event_type = 'session_end'
                        then coalesce(session_duration_seconds, 0)
                    else 0
                end
            ) as game_play_seconds_{{ window }}d,
        {%- endfor %}
        min(days_ago) as days_since_last_game_event
    from game_activity
    group by customer_id, as_of_date
),

-- Campaign responses: messages sent (holdouts received nothing) before each feature date, clicks before it,
-- and whether a purchase followed within the conversion window: at or after the sending time and at most
-- 14 days later by date (and, like every purchase here, before the same feature date).
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
    inner join purchases
        on
            exposures_sent.customer_id = purchases.customer_id
            and exposures_sent.as_of_date = purchases.as_of_date
            and exposures_sent.sent_at <= purchases.purchased_at
            and {{ days_before('exposures_sent.sent_date', 'purchases.purchase_date') }} <= {{ conversion_window_days }}
),

campaign_summary as (
    select
        exposures_sent.customer_id,
        exposures_sent.as_of_date,
        count(*) as campaign_exposures,
        sum(exposures_sent.is_clicked) as campaign_clicks,
        count(exposures_converted.exposure_id) as campaign_conversions_{{ conversion_window_days }}d
    from exposures_sent
    left join exposures_converted
        on
            exposures_sent.exposure_id = exposures_converted.exposure_id
            and exposures_sent.as_of_date = exposures_converted.as_of_date
    group by exposures_sent.customer_id, exposures_sent.as_of_date
),

-- Category affinities: EUR spend of the order lines of the purchases above, per feature date and category.
order_lines as (
    select
        sales_order_id,
        product_id,
        extended_amount_eur
    from order_lines_unioned
),

category_spend as (
    select
        sales_orders.customer_id,
        feature_dates.as_of_date,
        products.category,
        sum(order_lines.extended_amount_eur) as spend_eur
    from order_lines
    inner join sales_orders
        on order_lines.sales_order_id = sales_orders.sales_order_id
    inner join products
        on order_lines.product_id = products.product_id
    inner join feature_dates
        on sales_orders.order_date < feature_dates.as_of_date
    where
        sales_orders.customer_id is not null
        and (sales_orders.order_status is null or sales_orders.order_status <> 'cancelled')
        and products.category is not null
    group by sales_orders.customer_id, feature_dates.as_of_date, products.category
),

category_ranked as (
    select
        customer_id,
        as_of_date,
        category,
        spend_eur,
        sum(spend_eur) over (partition by customer_id, as_of_date) as total_spend_eur,
        count(*) over (partition by customer_id, as_of_date) as category_count,
        row_number() over (
            partition by customer_id, as_of_date order by spend_eur desc, category asc
        ) as category_rank
    from category_spend
),

category_summary as (
    select
        customer_id,
        as_of_date,
        category_count,
        category as top_category,
        {{ safe_ratio('spend_eur', 'total_spend_eur') }} as top_category_spend_share
    from category_ranked
    where category_rank = 1
),

-- One row per customer and feature date. Tenure: the customer's first source record, if it was created
-- before the feature date.
customer_records as (
    select
        customers.customer_id,
        feature_dates.as_of_date,
        feature_dates.feature_set,
        feature_dates.is_scoring_date,
        feature_dates.is_churn_training_date,
        feature_dates.is_clv_training_date,
        case
            when cast(customers.first_created_at as date) < feature_dates.as_of_date
                then {{ days_before('cast(customers.first_created_at as date)', 'feature_dates.as_of_date') }}
        end as days_since_first_record
    from customers
    cross join feature_dates
),

final as (
    select
        customer_records.customer_id,
        customer_records.as_of_date,
        customer_records.feature_set,
        customer_records.is_scoring_date,
        customer_records.is_churn_training_date,
        customer_records.is_clv_training_date,
        (
            customer_records.days_since_first_record is not null
            or purchase_summary.customer_id is not null
            or cancelled_orders.customer_id is not null
            or click_summary.customer_id is not null
            or game_summary.customer_id is not null
            or campaign_summary.customer_id is not null
        ) as has_history_before_as_of,
        customer_records.days_since_first_record,
        case
            when purchase_summary.days_since_first_purchase is null then customer_records.days_since_first_record
            when customer_records.days_since_first_record is null then purchase_summary.days_since_first_purchase
            when customer_records.days_since_first_record > purchase_summary.days_since_first_purchase
                then customer_records.days_since_first_record
            else purchase_summary.days_since_first_purchase
        end as tenure_days,

        -- RFM over all channels
        purchase_summary.first_purchase_at,
        purchase_summary.last_purchase_at,
        purchase_summary.days_since_first_purchase,
        purchase_summary.recency_days,
        cast(coalesce(purchase_summary.purchase_count, 0) as {{ count_type }}) as purchase_count,
        cast(coalesce(purchase_summary.monetary_eur, 0) as decimal(18, 2)) as monetary_eur,
        cast(
            purchase_summary.monetary_eur / nullif(purchase_summary.purchase_count, 0) as decimal(18, 2)
        ) as avg_purchase_value_eur,
        {{ safe_ratio(
            'purchase_summary.days_since_first_purchase - purchase_summary.recency_days',
            'purchase_summary.purchase_count - 1'
        ) }} as mean_days_between_purchases,
        cast(coalesce(cancelled_orders.cancelled_order_count, 0) as {{ count_type }}) as cancelled_order_count,

        -- RFM per channel
        {%- for channel in purchase_channels %}
            cast(
                coalesce(purchase_summary.{{ channel }}_purchase_count, 0) as {{ count_type }}
            ) as {{ channel }}_purchase_count,
            cast(
                coalesce(purchase_summary.{{ channel }}_monetary_eur, 0) as decimal(18, 2)
            ) as {{ channel }}_monetary_eur,
            purchase_summary.{{ channel }}_recency_days,
        {%- endfor %}

        -- Trends: the last N days against the N days before
        {%- for window in windows %}
            cast(
                coalesce(purchase_summary.purchase_count_{{ window }}d, 0) as {{ count_type }}
            ) as purchase_count_{{ window }}d,
            cast(
                coalesce(purchase_summary.purchase_count_prev_{{ window }}d, 0) as {{ count_type }}
            ) as purchase_count_prev_{{ window }}d,
            cast(
                coalesce(purchase_summary.purchase_count_{{ window }}d, 0)
                - coalesce(purchase_summary.purchase_count_prev_{{ window }}d, 0) as {{ count_type }}
            ) as purchase_count_change_{{ window }}d,
            cast(
                coalesce(purchase_summary.monetary_{{ window }}d_eur, 0) as decimal(18, 2)
            ) as monetary_{{ window }}d_eur,
            cast(
                coalesce(purchase_summary.monetary_prev_{{ window }}d_eur, 0) as decimal(18, 2)
            ) as monetary_prev_{{ window }}d_eur,
            cast(
                coalesce(purchase_summary.monetary_{{ window }}d_eur, 0)
                - coalesce(purchase_summary.monetary_prev_{{ window }}d_eur, 0) as decimal(18, 2)
            ) as monetary_change_{{ window }}d_eur,
            {{ safe_ratio(
                'purchase_summary.monetary_' ~ window ~ 'd_eur',
                'purchase_summary.monetary_prev_' ~ window ~ 'd_eur'
            ) }} as monetary_ratio_{{ window }}d,
        {%- endfor %}

        -- Web engagement
        {%- for window in windows %}
            cast(coalesce(click_summary.web_clicks_{{ window }}d, 0) as {{ count_type }}) as web_clicks_{{ window }}d,
            cast(
                coalesce(click_summary.product_views_{{ window }}d, 0) as {{ count_type }}
            ) as product_views_{{ window }}d,
            cast(
                coalesce(click_summary.add_to_carts_{{ window }}d, 0) as {{ count_type }}
            ) as add_to_carts_{{ window }}d,
        {%- endfor %}
        click_summary.days_since_last_web_click,

        -- Game engagement
        {%- for window in windows %}
            cast(
                coalesce(game_summary.game_sessions_{{ window }}d, 0) as {{ count_type }}
            ) as game_sessions_{{ window }}d,
            cast(
                coalesce(game_summary.game_play_seconds_{{ window }}d, 0) as {{ count_type }}
            ) as game_play_seconds_{{ window }}d,
        {%- endfor %}
        game_summary.days_since_last_game_event,

        -- Campaign responses
        cast(coalesce(campaign_summary.campaign_exposures, 0) as {{ count_type }}) as campaign_exposures,
        cast(coalesce(campaign_summary.campaign_clicks, 0) as {{ count_type }}) as campaign_clicks,
        {{ safe_ratio(
            'campaign_summary.campaign_clicks',
            'campaign_summary.campaign_exposures'
        ) }} as campaign_click_rate,
        cast(
            coalesce(campaign_summary.campaign_conversions_{{ conversion_window_days }}d, 0) as {{ count_type }}
        ) as campaign_conversions_{{ conversion_window_days }}d,

        -- Category affinities
        cast(coalesce(category_summary.category_count, 0) as {{ count_type }}) as category_count,
        category_summary.top_category,
        category_summary.top_category_spend_share
    from customer_records
    left join purchase_summary
        on
            customer_records.customer_id = purchase_summary.customer_id
            and customer_records.as_of_date = purchase_summary.as_of_date
    left join cancelled_orders
        on
            customer_records.customer_id = cancelled_orders.customer_id
            and customer_records.as_of_date = cancelled_orders.as_of_date
    left join click_summary
        on
            customer_records.customer_id = click_summary.customer_id
            and customer_records.as_of_date = click_summary.as_of_date
    left join game_summary
        on
            customer_records.customer_id = game_summary.customer_id
            and customer_records.as_of_date = game_summary.as_of_date
    left join campaign_summary
        on
            customer_records.customer_id = campaign_summary.customer_id
            and customer_records.as_of_date = campaign_summary.as_of_date
    left join category_summary
        on
            customer_records.customer_id = category_summary.customer_id
            and customer_records.as_of_date = category_summary.as_of_date
)

select * from final
