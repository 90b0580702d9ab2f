-- Lines of staged web-shop orders: extended_amount = qty x unit_price - discount (the discount is on
-- the whole line), rounded to cents, in the order currency.
with

orders as (
    select * from {{ ref('base_shop__orders') }}
    where rejection_code is null
),

order_lines as (
    select * from {{ ref('base_shop__order_lines') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

joined as (
    select
        orders.order_id,
        orders.ordered_at,
        orders.transaction_currency_code,
        order_lines.line_index,
        order_lines.product_id,
        order_lines.quantity,
        order_lines.price_per_unit,
        order_lines.discount_amount,
        cast(
            order_lines.quantity * order_lines.price_per_unit - order_lines.discount_amount as decimal(18, 2)
        ) as extended_amount,
        fx_rates.eur_per_unit,
        orders.source_file
    from orders
    inner join order_lines
        on
            orders.source_file = order_lines.source_file
            and orders.line_number = order_lines.line_number
    left join fx_rates
        on orders.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        {{ dbt.concat(["'shop:'", 'order_id', "'|'", dbt.cast('line_index', dbt.type_string())]) }}
            as sales_order_line_id,
        {{ dbt.concat(["'shop:'", 'order_id']) }} as sales_order_id,
        'shop' as source_system,
        {{ dbt.concat(['order_id', "'|'", dbt.cast('line_index', dbt.type_string())]) }} as source_record_id,
        cast(line_index as integer) as line_number,
        product_id,
        quantity,
        price_per_unit,
        discount_amount,
        extended_amount,
        transaction_currency_code,
        cast(round(extended_amount * eur_per_unit, 2) as decimal(18, 2)) as extended_amount_eur,
        ordered_at,
        cast(ordered_at as date) as order_date,
        source_file
    from joined
)

select * from final
