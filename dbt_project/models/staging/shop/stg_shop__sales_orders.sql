-- total_amount = sum of the order's line extended amounts + shipping_fee, in the order currency (the
-- source's own `total` is only checked to be a number); the EUR amounts sum the lines' EUR amounts.
with

orders as (
    select * from {{ ref('base_shop__orders') }}
    where rejection_code is null
),

order_lines as (
    select * from {{ ref('stg_shop__sales_order_lines') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

line_totals as (
    select
        sales_order_id,
        count(*) as line_count,
        sum(extended_amount) as lines_amount,
        sum(extended_amount_eur) as lines_amount_eur
    from order_lines
    group by sales_order_id
),

joined as (
    select
        orders.*,
        {{ dbt.concat(["'shop:'", 'orders.order_id']) }} as sales_order_id,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.lines_amount, 0) as lines_amount,
        line_totals.lines_amount_eur,
        cast(round(orders.shipping_amount * fx_rates.eur_per_unit, 2) as decimal(18, 2)) as shipping_amount_eur
    from orders
    left join line_totals
        on {{ dbt.concat(["'shop:'", 'orders.order_id']) }} = line_totals.sales_order_id
    left join fx_rates
        on orders.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        sales_order_id,
        'shop' as source_system,
        order_id as source_record_id,
        order_id as order_number,
        'web_shop' as channel,
        'shop' as customer_source_system,
        account_id as customer_source_record_id,
        {{ dbt.concat(["'shop:'", 'account_id']) }} as customer_contact_id,
        cast(null as string) as store_id,
        offer_id,
        order_status,
        ordered_at,
        cast(ordered_at as date) as order_date,
        transaction_currency_code,
        cast(shipping_amount as decimal(18, 2)) as shipping_amount,
        shipping_amount_eur,
        cast(lines_amount + shipping_amount as decimal(18, 2)) as total_amount,
        cast(lines_amount_eur + shipping_amount_eur as decimal(18, 2)) as total_amount_eur,
        cast(line_count as integer) as line_count,
        source_file
    from joined
)

select * from final
