-- Receipt lines: extended_amount = quantity x unit_price - discount, rounded to cents, in the
-- transaction currency.
with

transactions as (
    select * from {{ ref('base_pos__transactions') }}
    where rejection_code is null
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

amounts as (
    select
        transactions.*,
        cast(
            transactions.quantity * transactions.price_per_unit - transactions.discount_amount as decimal(18, 2)
        ) as extended_amount,
        fx_rates.eur_per_unit
    from transactions
    left join fx_rates
        on transactions.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        {{ dbt.concat(["'pos:'", 'line_key']) }} as sales_order_line_id,
        {{ dbt.concat(["'pos:'", 'transaction_id']) }} as sales_order_id,
        'pos' as source_system,
        line_key as source_record_id,
        line_no as line_number,
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
    from amounts
)

select * from final
