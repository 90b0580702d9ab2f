-- The order lines nested in each parseable shop order line, one row per array element, parsed and
-- checked on their own (line_rejection_code / line_rejection_reason).
with

orders as (
    select * from {{ ref('base_shop__orders_parsed') }}
    where json_record is not null
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

products_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__products') }}
),

exploded as (
    select
        orders.source_file,
        orders.line_number,
        orders.order_id,
        order_items.line_index,
        order_items.line_json
    from orders
    {{ json_array_elements('orders.json_record', '$.lines', 'order_items', 'line_index', 'line_json') }}
),

parsed as (
    select
        source_file,
        line_number,
        order_id,
        line_index,
        line_json,
        {{ clean_text(json_text('line_json', '$.sku')) }} as product_id,
        {{ clean_text(json_text('line_json', '$.qty')) }} as quantity_text,
        {{ clean_text(json_text('line_json', '$.unit_price')) }} as price_per_unit_text,
        {{ clean_text(json_text('line_json', '$.discount')) }} as discount_text
    from exploded
),

typed as (
    select
        *,
        {{ dbt.concat(["'line '", dbt.cast('line_index', dbt.type_string())]) }} as line_label,
        {{ parse_decimal('quantity_text', 'decimal(18, 3)') }} as quantity,
        {{ parse_decimal('price_per_unit_text', 'decimal(18, 2)') }} as price_per_unit,
        {{ parse_decimal('discount_text', 'decimal(18, 2)') }} as discount_value
    from parsed
),

checked as (
    select
        typed.*,
        case
            when typed.quantity is null
                then {{ dbt.concat(["'bad_number: '", 'typed.line_label', "' qty is not a number'"]) }}
            when typed.quantity < 0
                then {{ dbt.concat(["'negative_quantity: '", 'typed.line_label', "' qty is negative'"]) }}
            when typed.quantity = 0
                then {{ dbt.concat(["'bad_number: '", 'typed.line_label', "' qty is zero'"]) }}
        end as check_quantity,
        case
            when typed.price_per_unit is null or typed.price_per_unit < 0
                then {{ dbt.concat(["'bad_number: '", 'typed.line_label', "' unit_price is not a price'"]) }}
            when typed.discount_text is not null and (typed.discount_value is null or typed.discount_value < 0)
                then {{ dbt.concat(["'bad_number: '", 'typed.line_label', "' discount is not an amount'"]) }}
        end as check_amounts,
        case
            when typed.product_id is null
                then {{ dbt.concat(["'unknown_sku: '", 'typed.line_label', "' sku is null or absent'"]) }}
            when products_delivered.is_delivered and products.product_id is null
                then {{ dbt.concat(["'unknown_sku: '", 'typed.line_label', "' sku is not a staged product'"]) }}
        end as check_product
    from typed
    cross join products_delivered
    left join products
        on typed.product_id = products.product_id
),

final as (
    select
        source_file,
        line_number,
        order_id,
        line_index,
        line_json,
        {{ rejection_columns(
            ['check_quantity', 'check_amounts', 'check_product'], structure_column=none, prefix='line_'
        ) }},
        product_id,
        quantity,
        price_per_unit,
        coalesce(discount_value, 0) as discount_amount
    from checked
)

select * from final
