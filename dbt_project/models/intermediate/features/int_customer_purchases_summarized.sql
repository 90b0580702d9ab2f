-- Purchase features (RFM over all channels and per channel, trends over the last N days against the N days
-- before) and cancelled orders of each customer at each feature date of int_feature_dates_listed: one row
-- per customer and date with at least one purchase or cancelled order dated strictly before it (UTC date).
-- Purchases are the rows of marts.customer_purchases (sales orders not cancelled, in-game purchases).
-- Channels other than erp, web_shop, pos and game count as 'other'. Windows count whole days back from the
-- as-of date (the last 30 days = days 1-30 before it, the 30 days before that = days 31-60). Counts and EUR
-- amounts are 0 on a row with cancelled orders only; customer_features_history fills customers without a
-- row here.
{%- set purchase_channels = c360_purchase_channels() %}
{%- set windows = c360_feature_windows_days() %}
{%- set count_type = dbt.type_bigint() %}

with

customer_purchases as (
    select * from {{ ref('customer_purchases') }}
),

sales_orders as (
    select * from {{ ref('sales_orders') }}
),

feature_dates as (
    select * from {{ ref('int_feature_dates_listed') }}
),

-- Each purchase before each feature date, with its age in days at that date (1 = the day before).
purchases as (
    select
        customer_purchases.customer_id,
        customer_purchases.purchased_at,
        customer_purchases.amount_eur,
        feature_dates.as_of_date,
        {{ days_before('customer_purchases.purchase_date', 'feature_dates.as_of_date') }} as days_ago,
        case
            when customer_purchases.channel in ({{ lake_sql_strings(purchase_channels[:-1]) }})
                then customer_purchases.channel
            else 'other'
        end as purchase_channel
    from customer_purchases
    inner join feature_dates
        on customer_purchases.purchase_date < feature_dates.as_of_date
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

-- The customers and dates with a purchase or a cancelled order (either can be missing).
customer_dates as (
    select
        customer_id,
        as_of_date
    from purchase_summary

    union

    select
        customer_id,
        as_of_date
    from cancelled_orders
),

final as (
    select
        customer_dates.customer_id,
        customer_dates.as_of_date,

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
            ) }} as monetary_ratio_{{ window }}d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_dates
    left join purchase_summary
        on
            customer_dates.customer_id = purchase_summary.customer_id
            and customer_dates.as_of_date = purchase_summary.as_of_date
    left join cancelled_orders
        on
            customer_dates.customer_id = cancelled_orders.customer_id
            and customer_dates.as_of_date = cancelled_orders.as_of_date
)

select * from final
