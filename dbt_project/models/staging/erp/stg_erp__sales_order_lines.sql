-- ERP items carry no discount: extended_amount = quantity x net unit price, rounded to cents.
with

sales_order_lines as (
    select * from {{ ref('base_erp__sales_order_lines') }}
    where rejection_code is null
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

amounts as (
    select
        sales_order_lines.*,
        cast(0 as decimal(18, 2)) as discount_amount,
        cast(sales_order_lines.quantity * sales_order_lines.price_per_unit as decimal(18, 2)) as extended_amount,
        fx_rates.eur_per_unit
    from sales_order_lines
    left join fx_rates
        on sales_order_lines.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        {{ dbt.concat(["'erp:'", 'line_key']) }} as sales_order_line_id,
        {{ dbt.concat(["'erp:'", 'vbeln']) }} as sales_order_id,
        'erp' as source_system,
        line_key as source_record_id,
        item_number as line_number,
        product_id,
        quantity,
        price_per_unit,
        discount_amount,
        extended_amount,
        transaction_currency_code,
        cast(round(extended_amount * eur_per_unit, 2) as decimal(18, 2)) as extended_amount_eur,
        ordered_at,
        order_date,
        source_file
    from amounts
)

select * from final
