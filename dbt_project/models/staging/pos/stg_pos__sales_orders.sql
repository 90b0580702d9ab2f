-- One order per receipt, built from its staged lines (the POS export has no header record):
-- total_amount = sum of the lines' extended amounts (no shipping in a store). A receipt whose lines
-- were all quarantined has no order.
with

transactions as (
    select * from {{ ref('base_pos__transactions') }}
    where rejection_code is null
),

order_lines as (
    select * from {{ ref('stg_pos__sales_order_lines') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

receipts as (
    select
        transaction_id,
        min(store_id) as store_id,
        min(loyalty_card_id) as loyalty_card_id,
        min(ordered_at) as ordered_at,
        min(transaction_currency_code) as transaction_currency_code,
        min(source_file) as source_file
    from transactions
    group by transaction_id
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
        receipts.*,
        {{ dbt.concat(["'pos:'", 'receipts.transaction_id']) }} as sales_order_id,
        line_totals.line_count,
        line_totals.lines_amount,
        line_totals.lines_amount_eur,
        fx_rates.eur_per_unit
    from receipts
    inner join line_totals
        on {{ dbt.concat(["'pos:'", 'receipts.transaction_id']) }} = line_totals.sales_order_id
    left join fx_rates
        on receipts.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        sales_order_id,
        'pos' as source_system,
        transaction_id as source_record_id,
        transaction_id as order_number,
        'pos' as channel,
        case when loyalty_card_id is not null then 'pos' end as customer_source_system,
        loyalty_card_id as customer_source_record_id,
        case when loyalty_card_id is not null then {{ dbt.concat(["'pos:'", 'loyalty_card_id']) }} end
            as customer_contact_id,
        store_id,
        cast(null as string) as offer_id,
        -- a closed receipt is a completed sale
        'completed' as order_status,
        ordered_at,
        cast(ordered_at as date) as order_date,
        transaction_currency_code,
        cast(0 as decimal(18, 2)) as shipping_amount,
        cast(case when eur_per_unit is not null then 0 end as decimal(18, 2)) as shipping_amount_eur,
        cast(lines_amount as decimal(18, 2)) as total_amount,
        cast(lines_amount_eur as decimal(18, 2)) as total_amount_eur,
        cast(line_count as integer) as line_count,
        source_file
    from joined
)

select * from final
