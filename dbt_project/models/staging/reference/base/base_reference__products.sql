-- Every row of reference/products.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_products as (
    select * from {{ ref('raw_reference__products') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_products',
        [
            'sku', 'product_name', 'category', 'brand', 'list_price_eur', 'launched_on',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        sku as product_id,
        product_name,
        category,
        brand,
        list_price_eur as list_price_eur_text,
        {{ parse_decimal('list_price_eur', 'decimal(18, 2)') }} as list_price_eur,
        launched_on as launched_on_text,
        {{ parse_date('launched_on', 'YYYY-MM-DD') }} as launched_on,
        {{ key_occurrence('sku') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when product_id is null then 'missing_key: sku is empty' end as check_missing_key,
        case
            when product_id is not null and key_occurrence > 1
                then 'duplicate_record: sku already seen in an earlier row'
        end as check_duplicate,
        case
            when list_price_eur is null then 'bad_number: list_price_eur is not a decimal'
            when list_price_eur < 0 then 'bad_number: list_price_eur is negative'
        end as check_list_price,
        case
            when launched_on_text is not null and launched_on is null
                then 'bad_date: launched_on is not a YYYY-MM-DD date'
        end as check_launched_on
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('product_id') }} as row_key,
        raw_record,
        {{ rejection_columns(['check_missing_key', 'check_duplicate', 'check_list_price', 'check_launched_on']) }},
        product_id,
        product_name,
        category,
        brand,
        list_price_eur,
        launched_on
    from checked
)

select * from final
