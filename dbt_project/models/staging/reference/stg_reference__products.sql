with

products as (
    select * from {{ ref('base_reference__products') }}
    where rejection_code is null
),

final as (
    select
        product_id,
        'reference' as source_system,
        product_id as source_record_id,
        product_name,
        category,
        brand,
        list_price_eur,
        launched_on,
        source_file
    from products
)

select * from final
