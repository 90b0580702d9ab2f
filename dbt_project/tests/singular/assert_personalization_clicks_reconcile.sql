-- Accounting identity of clicks_by_customer_product_offer: per event day and customer (NULL = no
-- customer), the clicks in the mart equal the resolved clicks (int_click_events_resolved), and in total
-- they equal the staged clicks (stg_web__click_events). Returns one row per day and customer that differs,
-- and one when the totals differ.
with

resolved as (
    select
        event_date,
        coalesce(customer_id, '(none)') as customer_key,
        count(*) as resolved_clicks
    from {{ ref('int_click_events_resolved') }}
    group by event_date, coalesce(customer_id, '(none)')
),

in_mart as (
    select
        event_date,
        coalesce(customer_id, '(none)') as customer_key,
        sum(click_count) as mart_clicks
    from {{ ref('clicks_by_customer_product_offer') }}
    group by event_date, coalesce(customer_id, '(none)')
),

per_day_and_customer as (
    select
        coalesce(resolved.event_date, in_mart.event_date) as event_date,
        coalesce(resolved.customer_key, in_mart.customer_key) as customer_key,
        coalesce(resolved.resolved_clicks, 0) as expected_clicks,
        coalesce(in_mart.mart_clicks, 0) as mart_clicks
    from resolved
    full outer join in_mart
        on
            resolved.event_date = in_mart.event_date
            and resolved.customer_key = in_mart.customer_key
),

totals as (
    select
        cast(null as date) as event_date,
        '(all: staged)' as customer_key,
        (select count(*) from {{ ref('stg_web__click_events') }}) as expected_clicks,
        (select coalesce(sum(click_count), 0) from {{ ref('clicks_by_customer_product_offer') }}) as mart_clicks
),

final as (
    select * from per_day_and_customer
    where expected_clicks <> mart_clicks
    union all
    select * from totals
    where expected_clicks <> mart_clicks
)

select * from final
