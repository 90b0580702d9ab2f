with

stores as (
    select * from {{ ref('base_reference__stores') }}
    where rejection_code is null
),

final as (
    select
        store_id,
        'reference' as source_system,
        store_id as source_record_id,
        store_name,
        street as address_1_line_1,
        postcode as address_1_postal_code,
        city as address_1_city,
        region as address_1_state_or_province,
        country as address_1_country,
        opened_on,
        source_file
    from stores
)

select * from final
