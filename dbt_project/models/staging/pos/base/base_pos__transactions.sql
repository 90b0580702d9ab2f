-- Every row of the POS Parquet files (one row per receipt line), checked; rejection_reason is NULL for
-- rows staged. A receipt line is one source record: a defect quarantines that line only (the receipt's
-- order is built from its staged lines). Values are cast with safe_cast, so a file whose columns carry
-- the wrong Parquet type quarantines its bad values instead of failing the build.
with

raw_transactions as (
    select * from {{ ref('raw_pos__transactions') }}
),

stores as (
    select * from {{ ref('stg_reference__stores') }}
),

stores_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__stores') }}
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

loyalty_members as (
    select * from {{ ref('stg_pos__contacts') }}
),

delivered_cards as (
    select distinct source_record_id as card_id from {{ ref('base_pos__loyalty_members') }}
    where source_record_id is not null
),

loyalty_members_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_pos__loyalty_members') }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        {{ clean_text(dbt.safe_cast('transaction_id', 'string')) }} as transaction_id,
        {{ clean_text(dbt.safe_cast('store_id', 'string')) }} as store_id,
        {{ dbt.safe_cast('register_id', 'integer') }} as register_id,
        {{ to_utc_timestamp('transaction_ts') }} as ordered_at,
        {{ clean_text(dbt.safe_cast('loyalty_card_id', 'string')) }} as loyalty_card_id,
        {{ dbt.safe_cast('line_no', 'integer') }} as line_no,
        {{ clean_text(dbt.safe_cast('sku', 'string')) }} as product_id,
        {{ dbt.safe_cast('quantity', 'decimal(18, 3)') }} as quantity,
        {{ dbt.safe_cast('unit_price', 'decimal(18, 2)') }} as price_per_unit,
        coalesce({{ dbt.safe_cast('discount', 'decimal(18, 2)') }}, 0) as discount_amount,
        {{ clean_text(dbt.safe_cast('currency', 'string')) }} as transaction_currency_code
    from raw_transactions
),

numbered as (
    select
        *,
        case
            when transaction_id is not null and line_no is not null
                then {{ dbt.concat(['transaction_id', "'|'", dbt.cast('line_no', dbt.type_string())]) }}
        end as line_key,
        row_number() over (
            partition by transaction_id, line_no
            order by source_file, line_number
        ) as key_occurrence
    from parsed
),

checked as (
    select
        numbered.*,
        case
            when numbered.line_key is null then 'missing_key: transaction_id or line_no is null'
        end as check_missing_key,
        case
            when numbered.line_key is not null and numbered.key_occurrence > 1
                then 'duplicate_record: transaction_id + line_no already seen in an earlier row'
        end as check_duplicate,
        case
            when numbered.ordered_at is null then 'bad_date: transaction_ts is null or not a timestamp'
        end as check_ordered_at,
        case
            when numbered.quantity is null then 'bad_number: quantity is not a number'
            when numbered.quantity < 0 then 'negative_quantity: quantity is negative'
            when numbered.quantity = 0 then 'bad_number: quantity is zero'
        end as check_quantity,
        case
            when numbered.price_per_unit is null or numbered.price_per_unit < 0
                then 'bad_number: unit_price is not a non-negative number'
            when numbered.discount_amount < 0 then 'bad_number: discount is negative'
        end as check_amounts,
        case
            when numbered.store_id is null then 'unknown_store: store_id is null'
            when stores_delivered.is_delivered and stores.store_id is null
                then 'unknown_store: store_id is not a staged store'
        end as check_store,
        case
            when numbered.product_id is null then 'unknown_sku: sku is null'
            when products_delivered.is_delivered and products.product_id is null
                then 'unknown_sku: sku is not a staged product'
        end as check_product,
        case
            when numbered.transaction_currency_code is null then 'unknown_currency: currency is null'
            when fx_rates_delivered.is_delivered and fx_rates.currency_code is null
                then 'unknown_currency: currency has no rate in reference/fx_rates.csv'
        end as check_currency,
        case
            when
                numbered.loyalty_card_id is not null
                and loyalty_members_delivered.is_delivered
                and delivered_cards.card_id is null
                then 'unknown_customer: loyalty_card_id is not in pos/loyalty_members.csv'
            when
                numbered.loyalty_card_id is not null
                and loyalty_members_delivered.is_delivered
                and loyalty_members.source_record_id is null
                then 'customer_rejected: the loyalty member row of loyalty_card_id was quarantined'
        end as check_customer
    from numbered
    cross join stores_delivered
    cross join products_delivered
    cross join fx_rates_delivered
    cross join loyalty_members_delivered
    left join stores
        on numbered.store_id = stores.store_id
    left join products
        on numbered.product_id = products.product_id
    left join fx_rates
        on numbered.transaction_currency_code = fx_rates.currency_code
    left join loyalty_members
        on numbered.loyalty_card_id = loyalty_members.source_record_id
    left join delivered_cards
        on numbered.loyalty_card_id = delivered_cards.card_id
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('line_key') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_ordered_at', 'check_quantity',
            'check_amounts', 'check_store', 'check_product', 'check_currency', 'check_customer',
        ], structure_column=none) }},
        line_key,
        transaction_id,
        line_no,
        store_id,
        register_id,
        loyalty_card_id,
        ordered_at,
        product_id,
        quantity,
        price_per_unit,
        discount_amount,
        transaction_currency_code
    from checked
)

select * from final
