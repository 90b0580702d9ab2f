-- Every row of erp/sales_orders.csv, parsed and checked; rejection_reason is NULL for rows staged.
-- References are checked against staged rows, and only when the referenced lake file was delivered.
with

raw_sales_orders as (
    select * from {{ ref('raw_erp__sales_orders') }}
),

customers as (
    select * from {{ ref('stg_erp__contacts') }}
),

delivered_customers as (
    select distinct source_record_id as kunnr from {{ ref('base_erp__customers') }}
    where source_record_id is not null
),

customers_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_erp__customers') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

fx_rates_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__fx_rates') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_sales_orders',
        [
            'VBELN', 'KUNNR', 'AUDAT', 'ERZET', 'WAERK', 'NETWR',
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
        kunnr,
        {{ parse_date('audat', 'YYYYMMDD') }} as order_date,
        {{ parse_timestamp_utc(dbt.concat(['audat', 'erzet']), 'YYYYMMDDHHMMSS') }} as ordered_at,
        waerk as transaction_currency_code,
        {{ parse_decimal('netwr', 'decimal(18, 2)', decimal_separator=',') }} as source_net_amount,
        {{ key_occurrence('vbeln') }} as key_occurrence
    from split_lines
),

checked as (
    select
        parsed.*,
        case when parsed.vbeln is null then 'missing_key: VBELN is empty' end as check_missing_key,
        case
            when parsed.vbeln is not null and parsed.key_occurrence > 1
                then 'duplicate_record: VBELN already seen in an earlier row'
        end as check_duplicate,
        case
            when parsed.ordered_at is null
                then 'bad_date: AUDAT / ERZET is not a YYYYMMDD date and HHMMSS time'
        end as check_ordered_at,
        case
            when parsed.source_net_amount is null then 'bad_number: NETWR is not a decimal-comma amount'
        end as check_net_amount,
        case
            when parsed.kunnr is null then 'unknown_customer: KUNNR is empty'
            when customers_delivered.is_delivered and delivered_customers.kunnr is null
                then 'unknown_customer: KUNNR is not in erp/customers.csv'
            when customers_delivered.is_delivered and customers.source_record_id is null
                then 'customer_rejected: the customer row of KUNNR was quarantined'
        end as check_customer,
        case
            when parsed.transaction_currency_code is null then 'unknown_currency: WAERK is empty'
            when fx_rates_delivered.is_delivered and fx_rates.currency_code is null
                then 'unknown_currency: WAERK has no rate in reference/fx_rates.csv'
        end as check_currency
    from parsed
    cross join customers_delivered
    cross join fx_rates_delivered
    left join customers
        on parsed.kunnr = customers.source_record_id
    left join delivered_customers
        on parsed.kunnr = delivered_customers.kunnr
    left join fx_rates
        on parsed.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('vbeln') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_ordered_at', 'check_net_amount',
            'check_customer', 'check_currency',
        ]) }},
        vbeln,
        kunnr,
        ordered_at,
        order_date,
        transaction_currency_code,
        source_net_amount
    from checked
)

select * from final
