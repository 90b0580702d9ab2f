-- Every line of the shop order files, the order header parsed and checked. Order lines are checked in
-- base_shop__order_lines; base_shop__orders combines both into the order's verdict.
with

raw_orders as (
    select * from {{ ref('raw_shop__orders') }}
),

accounts as (
    select * from {{ ref('stg_shop__contacts') }}
),

delivered_accounts as (
    select distinct source_record_id as account_id from {{ ref('base_shop__accounts') }}
    where source_record_id is not null
),

accounts_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_shop__accounts') }}
),

offers as (
    select * from {{ ref('stg_marketing__offers') }}
),

offers_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_marketing__offers') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

fx_rates_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__fx_rates') }}
),

json_lines as (
    {{ parse_json_lines('raw_orders') }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        json_record,
        {{ clean_text(json_text('json_record', '$.order_id')) }} as order_id,
        {{ clean_text(json_text('json_record', '$.account_id')) }} as account_id,
        {{ clean_text(json_text('json_record', '$.created_at')) }} as created_at_text,
        {{ clean_text(json_text('json_record', '$.currency')) }} as transaction_currency_code,
        {{ clean_text(json_text('json_record', '$.status')) }} as order_status,
        {{ clean_text(json_text('json_record', '$.offer_id')) }} as offer_id,
        {{ json_type_at('json_record', '$.lines') }} as lines_json_type,
        {{ clean_text(json_text('json_record', '$.shipping_fee')) }} as shipping_fee_text,
        {{ clean_text(json_text('json_record', '$.total')) }} as total_text
    from json_lines
),

typed as (
    select
        *,
        {{ parse_timestamp_utc('created_at_text', 'ISO8601') }} as ordered_at,
        {{ parse_decimal('shipping_fee_text', 'decimal(18, 2)') }} as shipping_amount,
        {{ parse_decimal('total_text', 'decimal(18, 2)') }} as source_total_amount,
        {{ key_occurrence('order_id') }} as key_occurrence
    from parsed
),

checked as (
    select
        typed.*,
        case when typed.order_id is null then 'missing_key: order_id is null or absent' end as check_missing_key,
        case
            when typed.order_id is not null and typed.key_occurrence > 1
                then 'duplicate_record: order_id already seen in an earlier line'
        end as check_duplicate,
        case
            when typed.ordered_at is null
                then 'bad_date: created_at is not an ISO-8601 timestamp with offset'
        end as check_ordered_at,
        case
            when typed.order_status is null or typed.order_status not in ('completed', 'cancelled')
                then 'bad_value: status is not completed or cancelled'
        end as check_status,
        case
            when typed.lines_json_type is null or typed.lines_json_type <> 'array'
                then 'bad_value: lines is not an array'
        end as check_lines,
        case
            when typed.shipping_fee_text is not null and (typed.shipping_amount is null or typed.shipping_amount < 0)
                then 'bad_number: shipping_fee is not a non-negative number'
            when typed.total_text is not null and typed.source_total_amount is null
                then 'bad_number: total is not a number'
        end as check_amounts,
        case
            when typed.account_id is null then 'unknown_customer: account_id is null or absent'
            when accounts_delivered.is_delivered and delivered_accounts.account_id is null
                then 'unknown_customer: account_id is not in shop/accounts.jsonl'
            when accounts_delivered.is_delivered and accounts.source_record_id is null
                then 'customer_rejected: the account line of account_id was quarantined'
        end as check_customer,
        case
            when typed.offer_id is not null and offers_delivered.is_delivered and offers.offer_id is null
                then 'unknown_offer: offer_id is not a staged marketing offer'
        end as check_offer,
        case
            when typed.transaction_currency_code is null then 'unknown_currency: currency is null or absent'
            when fx_rates_delivered.is_delivered and fx_rates.currency_code is null
                then 'unknown_currency: currency has no rate in reference/fx_rates.csv'
        end as check_currency
    from typed
    cross join accounts_delivered
    cross join offers_delivered
    cross join fx_rates_delivered
    left join accounts
        on typed.account_id = accounts.source_record_id
    left join delivered_accounts
        on typed.account_id = delivered_accounts.account_id
    left join offers
        on typed.offer_id = offers.offer_id
    left join fx_rates
        on typed.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('order_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_ordered_at', 'check_status', 'check_lines',
            'check_amounts', 'check_customer', 'check_offer', 'check_currency',
        ]) }},
        json_record,
        order_id,
        account_id,
        offer_id,
        order_status,
        ordered_at,
        transaction_currency_code,
        coalesce(shipping_amount, 0) as shipping_amount
    from checked
)

select * from final
