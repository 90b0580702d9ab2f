-- Every row of erp/sales_order_lines.csv, parsed and checked; rejection_reason is NULL for rows staged.
-- A line whose order header was quarantined is quarantined too (parent_order_rejected), so order
-- totals and line sums stay consistent.
with

raw_sales_order_lines as (
    select * from {{ ref('raw_erp__sales_order_lines') }}
),

sales_orders as (
    select * from {{ ref('base_erp__sales_orders') }}
    where rejection_code is null
),

delivered_orders as (
    select distinct vbeln from {{ ref('base_erp__sales_orders') }}
    where vbeln is not null
),

sales_orders_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_erp__sales_orders') }}
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

products_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__products') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

fx_rates_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__fx_rates') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_sales_order_lines',
        [
            'VBELN', 'POSNR', 'MATNR', 'KWMENG', 'VRKME', 'NETPR', 'NETWR', 'WAERK',
        ], delimiter=';',
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        vbeln,
        posnr,
        case
            when vbeln is not null and posnr is not null then {{ dbt.concat(['vbeln', "'|'", 'posnr']) }}
        end as line_key,
        {{ parse_integer('posnr', dbt.type_int()) }} as item_number,
        matnr as product_id,
        kwmeng as quantity_text,
        {{ parse_decimal('kwmeng', 'decimal(18, 3)', decimal_separator=',') }} as quantity,
        vrkme as unit_of_measure,
        {{ parse_decimal('netpr', 'decimal(18, 2)', decimal_separator=',') }} as price_per_unit,
        {{ parse_decimal('netwr', 'decimal(18, 2)', decimal_separator=',') }} as source_net_amount,
        waerk as transaction_currency_code
    from split_lines
),

numbered as (
    select
        *,
        {{ key_occurrence('line_key') }} as key_occurrence
    from parsed
),

checked as (
    select
        numbered.*,
        sales_orders.ordered_at,
        sales_orders.order_date,
        case when numbered.line_key is null then 'missing_key: VBELN or POSNR is empty' end as check_missing_key,
        case
            when numbered.line_key is not null and numbered.key_occurrence > 1
                then 'duplicate_record: VBELN + POSNR already seen in an earlier row'
        end as check_duplicate,
        case
            when numbered.item_number is null then 'bad_number: POSNR is not an item number'
        end as check_item_number,
        case
            when numbered.quantity is null then 'bad_number: KWMENG is not a decimal-comma quantity'
            when numbered.quantity < 0 then 'negative_quantity: KWMENG is negative'
            when numbered.quantity = 0 then 'bad_number: KWMENG is zero'
        end as check_quantity,
        case
            when numbered.price_per_unit is null or numbered.source_net_amount is null
                then 'bad_number: NETPR / NETWR is not a decimal-comma amount'
            when numbered.price_per_unit < 0 then 'bad_number: NETPR is negative'
        end as check_amounts,
        case
            when numbered.product_id is null then 'unknown_sku: MATNR is empty'
            when products_delivered.is_delivered and products.product_id is null
                then 'unknown_sku: MATNR is not a staged product'
        end as check_product,
        case
            when numbered.transaction_currency_code is null then 'unknown_currency: WAERK is empty'
            when fx_rates_delivered.is_delivered and fx_rates.currency_code is null
                then 'unknown_currency: WAERK has no rate in reference/fx_rates.csv'
            when numbered.transaction_currency_code <> sales_orders.transaction_currency_code
                then 'bad_value: WAERK differs from the order header currency'
        end as check_currency,
        case
            when sales_orders_delivered.is_delivered and delivered_orders.vbeln is null
                then 'unknown_order: VBELN is not in erp/sales_orders.csv'
            when sales_orders_delivered.is_delivered and sales_orders.vbeln is null
                then 'parent_order_rejected: the order header was quarantined'
        end as check_order
    from numbered
    cross join sales_orders_delivered
    cross join products_delivered
    cross join fx_rates_delivered
    left join sales_orders
        on numbered.vbeln = sales_orders.vbeln
    left join delivered_orders
        on numbered.vbeln = delivered_orders.vbeln
    left join products
        on numbered.product_id = products.product_id
    left join fx_rates
        on numbered.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('line_key') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_item_number', 'check_quantity', 'check_amounts',
            'check_product', 'check_currency', 'check_order',
        ]) }},
        line_key,
        vbeln,
        posnr,
        item_number,
        product_id,
        quantity,
        unit_of_measure,
        price_per_unit,
        transaction_currency_code,
        ordered_at,
        order_date
    from checked
)

select * from final
