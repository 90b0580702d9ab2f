-- Category affinities of each customer at each feature date of int_feature_dates_listed: the EUR spend of
-- the order lines (int_sales_order_lines_unioned, line amounts before shipping) of the customer's sales
-- orders dated strictly before it, not cancelled, per product category (stg_reference__products; lines of
-- products missing from the catalogue or without a category are left out). One row per customer and date
-- with categorized spend; customer_features_history fills the others.
{%- set count_type = dbt.type_bigint() %}

with

sales_orders as (
    select * from {{ ref('sales_orders') }}
),

order_lines_unioned as (
    select * from {{ ref('int_sales_order_lines_unioned') }}
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

feature_dates as (
    select * from {{ ref('int_feature_dates_listed') }}
),

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

-- Categories ranked by spend (ties: the alphabetically first wins).
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

final as (
    select
        customer_id,
        as_of_date,
        cast(category_count as {{ count_type }}) as category_count,
        category as top_category,
        {{ safe_ratio('spend_eur', 'total_spend_eur') }} as top_category_spend_share
    from category_ranked
    where category_rank = 1
)

select * from final
