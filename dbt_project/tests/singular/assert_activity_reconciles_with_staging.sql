-- Resolving customers never drops or duplicates activity: clicks, exposures and orders keep their staged
-- row counts, and orders their EUR revenue. Returns one row per activity whose figures differ.
with

staged_orders as (
    {%- for system in c360_order_systems() %}
        select
            count(*) as row_count,
            sum(total_amount_eur) as total_amount_eur
        from {{ ref('stg_' ~ system ~ '__sales_orders') }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

comparisons as (
    select
        'sales_orders' as activity,
        (select sum(row_count) from staged_orders) as staged_rows,
        (select count(*) from {{ ref('sales_orders') }}) as resolved_rows,
        (select coalesce(sum(total_amount_eur), 0) from staged_orders) as staged_amount_eur,
        (select coalesce(sum(total_amount_eur), 0) from {{ ref('sales_orders') }}) as resolved_amount_eur

    union all

    select
        'click_events' as activity,
        (select count(*) from {{ ref('stg_web__click_events') }}) as staged_rows,
        (select count(*) from {{ ref('int_click_events_resolved') }}) as resolved_rows,
        0 as staged_amount_eur,
        0 as resolved_amount_eur

    union all

    select
        'campaign_exposures' as activity,
        (select count(*) from {{ ref('stg_marketing__campaign_exposures') }}) as staged_rows,
        (select count(*) from {{ ref('int_campaign_exposures_resolved') }}) as resolved_rows,
        0 as staged_amount_eur,
        0 as resolved_amount_eur
),

final as (
    select * from comparisons
    where staged_rows <> resolved_rows or abs(staged_amount_eur - resolved_amount_eur) > 0.005
)

select * from final
