-- Every campaign audience member (one row per staged exposure, treated or holdout) with what the unified
-- customer bought in the attribution window: from the UTC date of assignment (the same start for both
-- groups: intention to treat, the holdout has no sent_at) for c360_campaign_attribution_window_days() days.
-- Purchases are completed sales orders of every channel (ERP, web shop, POS) and in-game purchases, as in
-- c360_customer_purchases(). Members whose recipient is no staged contact (customer_resolution =
-- unknown_contact) keep their row, with NULL outcomes: their purchases cannot be seen.
{%- set window_days = c360_campaign_attribution_window_days() %}

with

exposures as (
    select * from {{ ref('int_campaign_exposures_resolved') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
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

products as (
    select * from {{ ref('stg_reference__products') }}
),

members as (
    select
        exposures.exposure_id,
        exposures.campaign_id,
        exposures.offer_id,
        campaigns.channel,
        campaigns.campaign_type,
        campaigns.target_category,
        exposures.recipient_contact_id,
        exposures.recipient_type,
        exposures.customer_id,
        exposures.customer_resolution,
        exposures.is_holdout,
        exposures.assigned_at,
        exposures.sent_at,
        exposures.clicked_at,
        cast(exposures.assigned_at as date) as window_start_date,
        cast(
            {{ dbt.dateadd('day', window_days, 'cast(exposures.assigned_at as date)') }} as date
        ) as window_end_date
    from exposures
    left join campaigns
        on exposures.campaign_id = campaigns.campaign_id
),

-- Purchases of every channel, one row per order or in-game purchase (the features' definition).
purchases as (
    {{ c360_customer_purchases('sales_orders', 'game_events', 'game_accounts') }}
),

member_purchases as (
    select
        members.exposure_id,
        count(*) as purchase_count,
        sum(purchases.amount_eur) as revenue_eur
    from members
    inner join purchases
        on
            members.customer_id = purchases.customer_id
            and members.window_start_date <= purchases.purchase_date
            and members.window_end_date > purchases.purchase_date
    group by members.exposure_id
),

-- Completed order lines of every channel with the product's category and list price (in-game items have no
-- product category: they count as purchases and revenue above, never as category purchases).
category_order_lines as (
    {{ c360_campaign_category_order_lines('sales_orders', 'products') }}
),

-- The same per resolved customer, category and day, with the dearest item's list price.
customer_category_days as (
    select
        customer_id,
        category,
        order_date as purchase_date,
        max(list_price_eur) as max_list_price_eur
    from category_order_lines
    where customer_id is not null
    group by customer_id, category, order_date
),

-- The categories each member bought in the window, with the dearest item's list price.
member_window_categories as (
    select
        members.exposure_id,
        members.customer_id,
        members.target_category,
        members.window_start_date,
        customer_category_days.category,
        max(customer_category_days.max_list_price_eur) as window_max_list_price_eur
    from members
    inner join customer_category_days
        on
            members.customer_id = customer_category_days.customer_id
            and members.window_start_date <= customer_category_days.purchase_date
            and members.window_end_date > customer_category_days.purchase_date
    group by
        members.exposure_id,
        members.customer_id,
        members.target_category,
        members.window_start_date,
        customer_category_days.category
),

-- The same categories before the window: NULL when the customer never bought the category before.
member_category_history as (
    select
        member_window_categories.exposure_id,
        member_window_categories.target_category,
        member_window_categories.category,
        member_window_categories.window_max_list_price_eur,
        max(customer_category_days.max_list_price_eur) as prior_max_list_price_eur
    from member_window_categories
    left join customer_category_days
        on
            member_window_categories.customer_id = customer_category_days.customer_id
            and member_window_categories.category = customer_category_days.category
            and member_window_categories.window_start_date > customer_category_days.purchase_date
    group by
        member_window_categories.exposure_id,
        member_window_categories.target_category,
        member_window_categories.category,
        member_window_categories.window_max_list_price_eur
),

member_category_outcomes as (
    select
        exposure_id,
        max(case when category = target_category then 1 else 0 end) as target_category_flag,
        max(
            case
                when
                    prior_max_list_price_eur is not null
                    and window_max_list_price_eur > prior_max_list_price_eur
                    then 1
                else 0
            end
        ) as up_sell_flag,
        max(case when prior_max_list_price_eur is null then 1 else 0 end) as cross_sell_flag
    from member_category_history
    group by exposure_id
),

final as (
    select
        members.exposure_id,
        members.campaign_id,
        members.offer_id,
        members.channel,
        members.campaign_type,
        members.target_category,
        members.recipient_contact_id,
        members.recipient_type,
        members.customer_id,
        members.customer_resolution,
        members.is_holdout,
        members.customer_resolution = 'resolved' as is_outcome_observed,
        members.sent_at is not null as is_sent,
        members.clicked_at is not null as is_clicked,
        members.assigned_at,
        members.sent_at,
        members.clicked_at,
        members.window_start_date,
        members.window_end_date,
        case
            when members.customer_resolution = 'resolved' then coalesce(member_purchases.purchase_count, 0)
        end as purchase_count,
        case
            when members.customer_resolution = 'resolved'
                then cast(coalesce(member_purchases.revenue_eur, 0) as decimal(18, 2))
        end as revenue_eur,
        case
            when members.customer_resolution = 'resolved' then coalesce(member_purchases.purchase_count, 0) > 0
        end as has_purchased,
        case
            when members.customer_resolution = 'resolved'
                then coalesce(member_category_outcomes.target_category_flag, 0) = 1
        end as is_converted,
        case
            when members.customer_resolution = 'resolved'
                then coalesce(member_category_outcomes.up_sell_flag, 0) = 1
        end as is_up_sell,
        case
            when members.customer_resolution = 'resolved'
                then coalesce(member_category_outcomes.cross_sell_flag, 0) = 1
        end as is_cross_sell
    from members
    left join member_purchases
        on members.exposure_id = member_purchases.exposure_id
    left join member_category_outcomes
        on members.exposure_id = member_category_outcomes.exposure_id
)

select * from final
