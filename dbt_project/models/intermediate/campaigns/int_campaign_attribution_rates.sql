-- Per campaign: how likely a conversion can be tied to a customer at all (q, the attribution share), estimated
-- from the warehouse. A conversion is a completed order containing the campaign's target category; it is
-- observable when its order carries a customer (marts.sales_orders.customer_id). Web-shop and ERP orders
-- always come from an account; store (POS) receipts only when a loyalty card was scanned, the rest are
-- anonymous. Counted over every completed order (any customer, anonymous included) containing the target
-- category and dated inside one of the campaign's attribution windows, so q = attributed / all orders
-- = (1 - pos_order_share) * non-POS attribution share + pos_order_share * pos_attributed_share.
-- See the docs of campaign_effectiveness ("Attribution-adjusted uplift") for the assumption and its bias.
{%- set z = c360_campaign_z_95() %}
{%- set share = safe_ratio('counts.attributed_order_count', 'counts.category_order_count') %}

with

members as (
    select * from {{ ref('int_campaign_members_measured') }}
),

sales_orders as (
    select * from {{ ref('sales_orders') }}
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

-- Completed order lines of every channel whose product has a category (anonymous store receipts included).
category_order_lines as (
    {{ c360_campaign_category_order_lines('sales_orders', 'products') }}
),

-- The distinct attribution windows of each campaign (members assigned on the same day share one).
campaign_windows as (
    select distinct
        campaign_id,
        target_category,
        window_start_date,
        window_end_date
    from members
    where target_category is not null
),

-- Each completed order once per category it contains.
category_orders as (
    select distinct
        sales_order_id,
        source_system,
        order_date,
        category,
        case when customer_id is not null then 1 else 0 end as is_attributed
    from category_order_lines
),

-- Each order of the target category that falls in at least one of the campaign's windows, once.
campaign_orders as (
    select distinct
        campaign_windows.campaign_id,
        category_orders.sales_order_id,
        category_orders.source_system,
        category_orders.is_attributed
    from campaign_windows
    inner join category_orders
        on
            campaign_windows.target_category = category_orders.category
            and campaign_windows.window_start_date <= category_orders.order_date
            and campaign_windows.window_end_date > category_orders.order_date
),

counts as (
    select
        campaign_id,
        count(*) as category_order_count,
        sum(is_attributed) as attributed_order_count,
        sum(case when source_system = 'pos' then 1 else 0 end) as pos_order_count,
        sum(case when source_system = 'pos' then is_attributed else 0 end) as pos_attributed_order_count
    from campaign_orders
    group by campaign_id
),

-- q = 0 (no order of the category could be tied to a customer) cannot scale anything: NULL with its interval.
final as (
    select
        counts.*,
        {{ safe_ratio('counts.pos_order_count', 'counts.category_order_count') }} as pos_order_share,
        {{ safe_ratio('counts.pos_attributed_order_count', 'counts.pos_order_count') }} as pos_attributed_share,
        case when counts.attributed_order_count > 0 then {{ share }} end as attribution_share,
        case
            when counts.attributed_order_count > 0
                then {{ c360_wilson_bound(share, 'counts.category_order_count', 'lower', z) }}
        end as attribution_share_ci_lower,
        case
            when counts.attributed_order_count > 0
                then {{ c360_wilson_bound(share, 'counts.category_order_count', 'upper', z) }}
        end as attribution_share_ci_upper
    from counts
)

select * from final
