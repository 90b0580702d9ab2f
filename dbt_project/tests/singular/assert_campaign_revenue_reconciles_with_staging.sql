-- Accounting identity of campaign_effectiveness against staging: per campaign and group, the EUR revenue
-- of the members' purchases in their attribution windows, recomputed straight from the staged orders of
-- ERP, web shop and POS (not cancelled) and the staged in-game purchases, each linked to its customer
-- through customer_identity_map, equals treated_revenue_eur / holdout_revenue_eur of the mart. Returns one
-- row per campaign and group that differs by more than a cent.
{%- set window_days = c360_campaign_attribution_window_days() %}
with

staged_exposures as (
    select * from {{ ref('stg_marketing__campaign_exposures') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

erp_orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
),

shop_orders as (
    select * from {{ ref('stg_shop__sales_orders') }}
),

pos_orders as (
    select * from {{ ref('stg_pos__sales_orders') }}
),

game_events as (
    select * from {{ ref('stg_game__game_events') }}
),

effectiveness as (
    select * from {{ ref('campaign_effectiveness') }}
),

staged_purchases as (
    select
        customer_contact_id,
        order_date as purchase_date,
        total_amount_eur as amount_eur
    from erp_orders
    where order_status is null or order_status <> 'cancelled'
    union all
    select
        customer_contact_id,
        order_date as purchase_date,
        total_amount_eur as amount_eur
    from shop_orders
    where order_status is null or order_status <> 'cancelled'
    union all
    select
        customer_contact_id,
        order_date as purchase_date,
        total_amount_eur as amount_eur
    from pos_orders
    where order_status is null or order_status <> 'cancelled'
    union all
    select
        customer_contact_id,
        event_date as purchase_date,
        amount_eur
    from game_events
    where amount_eur is not null
),

customer_purchases as (
    select
        identity_map.customer_id,
        staged_purchases.purchase_date,
        staged_purchases.amount_eur
    from staged_purchases
    inner join identity_map
        on staged_purchases.customer_contact_id = identity_map.contact_id
),

member_windows as (
    select
        staged_exposures.exposure_id,
        staged_exposures.campaign_id,
        staged_exposures.is_holdout,
        identity_map.customer_id,
        cast(staged_exposures.assigned_at as date) as window_start_date,
        cast({{ dbt.dateadd('day', window_days, 'cast(staged_exposures.assigned_at as date)') }} as date)
            as window_end_date
    from staged_exposures
    inner join identity_map
        on staged_exposures.recipient_contact_id = identity_map.contact_id
),

staged_revenue as (
    select
        member_windows.campaign_id,
        sum(case when not member_windows.is_holdout then customer_purchases.amount_eur else 0 end)
            as treated_revenue_eur,
        sum(case when member_windows.is_holdout then customer_purchases.amount_eur else 0 end)
            as holdout_revenue_eur
    from member_windows
    inner join customer_purchases
        on
            member_windows.customer_id = customer_purchases.customer_id
            and member_windows.window_start_date <= customer_purchases.purchase_date
            and member_windows.window_end_date > customer_purchases.purchase_date
    group by member_windows.campaign_id
),

compared as (
    select
        effectiveness.campaign_id,
        coalesce(staged_revenue.treated_revenue_eur, 0) as staged_treated_revenue_eur,
        effectiveness.treated_revenue_eur,
        coalesce(staged_revenue.holdout_revenue_eur, 0) as staged_holdout_revenue_eur,
        effectiveness.holdout_revenue_eur
    from effectiveness
    left join staged_revenue
        on effectiveness.campaign_id = staged_revenue.campaign_id
),

final as (
    select * from compared
    where
        abs(staged_treated_revenue_eur - treated_revenue_eur) > 0.005
        or abs(staged_holdout_revenue_eur - holdout_revenue_eur) > 0.005
)

select * from final
