-- Every product interaction of a resolved customer, in all channels, one row each: product views, offer
-- clicks and add-to-carts from the web clickstream, purchased order lines of every sales channel (ERP, web
-- shop, POS; cancelled orders excluded) and in-game purchases (no sku: the category of var
-- c360_affinity_game_purchase_category). attributed_at is when the warehouse could first tie the row to the
-- customer: for a click attributed through its cookie, not before the cookie's first login. Not filtered by
-- date: the affinity marts keep what lies before c360_as_of().
{%- set game_category = var('c360_affinity_game_purchase_category', 'video_games') %}

with

click_events as (
    select * from {{ ref('int_click_events_resolved') }}
),

cookies as (
    select * from {{ ref('int_web_cookies_identified') }}
),

offers as (
    select * from {{ ref('stg_marketing__offers') }}
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

sales_orders as (
    select * from {{ ref('sales_orders') }}
),

order_lines_unioned as (
    select * from {{ ref('int_sales_order_lines_unioned') }}
),


game_events as (
    select * from {{ ref('stg_game__game_events') }}
),

game_accounts as (
    select * from {{ ref('int_game_accounts_resolved') }}
),

web_interactions as (
    select
        click_events.event_id as interaction_id,
        click_events.customer_id,
        case click_events.event_type
            when 'product_view' then 'view'
            when 'offer_click' then 'click'
            when 'add_to_cart' then 'cart'
        end as interaction_type,
        'web' as channel,
        click_events.event_at as interacted_at,
        click_events.event_date as interaction_date,
        case
            when click_events.customer_resolution = 'cookie_linked' and cookies.identified_at > click_events.event_at
                then cookies.identified_at
            else click_events.event_at
        end as attributed_at,
        coalesce(click_events.product_id, offers.product_id) as product_id,
        click_events.offer_id,
        offers.product_category as offer_category
    from click_events
    left join cookies
        on click_events.cookie_id = cookies.cookie_id
    left join offers
        on click_events.offer_id = offers.offer_id
    where
        click_events.customer_id is not null
        and click_events.event_type in ('product_view', 'offer_click', 'add_to_cart')
),

order_lines as (
    select
        sales_order_line_id,
        sales_order_id,
        product_id
    from order_lines_unioned
),

purchase_interactions as (
    select
        order_lines.sales_order_line_id as interaction_id,
        sales_orders.customer_id,
        'purchase' as interaction_type,
        sales_orders.channel,
        sales_orders.ordered_at as interacted_at,
        sales_orders.order_date as interaction_date,
        sales_orders.ordered_at as attributed_at,
        order_lines.product_id,
        sales_orders.offer_id,
        cast(null as {{ dbt.type_string() }}) as offer_category
    from order_lines
    inner join sales_orders
        on order_lines.sales_order_id = sales_orders.sales_order_id
    where
        sales_orders.customer_id is not null
        and (sales_orders.order_status is null or sales_orders.order_status <> 'cancelled')
),

game_purchase_interactions as (
    select
        game_events.event_id as interaction_id,
        game_accounts.customer_id,
        'purchase' as interaction_type,
        'game' as channel,
        game_events.event_at as interacted_at,
        game_events.event_date as interaction_date,
        game_events.event_at as attributed_at,
        cast(null as {{ dbt.type_string() }}) as product_id,
        cast(null as {{ dbt.type_string() }}) as offer_id,
        '{{ game_category }}' as offer_category
    from game_events
    inner join game_accounts
        on game_events.customer_contact_id = game_accounts.customer_contact_id
    where
        game_accounts.customer_id is not null
        and game_events.amount_eur is not null
),

unioned as (
    select * from web_interactions
    union all
    select * from purchase_interactions
    union all
    select * from game_purchase_interactions
),

final as (
    select
        unioned.interaction_id,
        unioned.customer_id,
        unioned.interaction_type,
        unioned.channel,
        unioned.interacted_at,
        unioned.interaction_date,
        unioned.attributed_at,
        unioned.product_id,
        unioned.offer_id,
        coalesce(products.category, unioned.offer_category) as product_category,
        products.brand as product_brand
    from unioned
    left join products
        on unioned.product_id = products.product_id
)

select * from final
