{#-
    c360_campaign_category_order_lines(sales_orders, products)
        A portable SELECT of the order lines of completed (not cancelled) sales orders of every channel (ERP,
        web shop, POS and mapped order sources; int_sales_order_lines_unioned) whose product has a category, one row per
        line: sales_order_id, source_system, customer_id (NULL for anonymous store receipts), order_date,
        category and list_price_eur. `sales_orders` and `products` name the relations (CTEs) of the
        sales_orders mart and stg_reference__products. Shared by int_campaign_members_measured (the
        categories a customer bought) and int_campaign_attribution_rates (every order of a category,
        anonymous ones included).
-#}

{% macro c360_campaign_category_order_lines(sales_orders, products) -%}
    select
        {{ sales_orders }}.sales_order_id,
        {{ sales_orders }}.source_system,
        {{ sales_orders }}.customer_id,
        {{ sales_orders }}.order_date,
        {{ products }}.category,
        {{ products }}.list_price_eur
    from {{ ref('int_sales_order_lines_unioned') }} as order_lines
    inner join {{ sales_orders }}
        on order_lines.sales_order_id = {{ sales_orders }}.sales_order_id
    inner join {{ products }}
        on order_lines.product_id = {{ products }}.product_id
    where
        ({{ sales_orders }}.order_status is null or {{ sales_orders }}.order_status <> 'cancelled')
        and {{ products }}.category is not null
{%- endmacro %}
