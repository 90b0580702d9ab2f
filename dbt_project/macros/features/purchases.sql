{#-
    c360_customer_purchases(sales_orders, game_events, game_accounts)
        The purchases of resolved customers on every date, as one select (customer_id, channel, purchased_at,
        purchase_date, amount_eur), given the names of CTEs (or relations) holding marts.sales_orders,
        stg_game__game_events and int_game_accounts_resolved. A purchase is a sales order of any channel that
        was not cancelled, or an in-game purchase (a game event with amount_eur) of a customer's game
        account. The one definition of a purchase: marts.customer_purchases materializes it (the purchase
        feature family, the campaign conversions of the features and customer_training_labels read that
        mart), int_campaign_members_measured calls it inline.
-#}

{% macro c360_customer_purchases(sales_orders, game_events, game_accounts) -%}
    select
        {{ sales_orders }}.customer_id,
        {{ sales_orders }}.channel,
        {{ sales_orders }}.ordered_at as purchased_at,
        {{ sales_orders }}.order_date as purchase_date,
        {{ sales_orders }}.total_amount_eur as amount_eur
    from {{ sales_orders }}
    where
        {{ sales_orders }}.customer_id is not null
        and ({{ sales_orders }}.order_status is null or {{ sales_orders }}.order_status <> 'cancelled')

    union all

    select
        {{ game_accounts }}.customer_id,
        'game' as channel,
        {{ game_events }}.event_at as purchased_at,
        {{ game_events }}.event_date as purchase_date,
        {{ game_events }}.amount_eur
    from {{ game_events }}
    inner join {{ game_accounts }}
        on {{ game_events }}.customer_contact_id = {{ game_accounts }}.customer_contact_id
    where
        {{ game_accounts }}.customer_id is not null
        and {{ game_events }}.amount_eur is not null
{%- endmacro %}
