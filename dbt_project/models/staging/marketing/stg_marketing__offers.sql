with

offers as (
    select * from {{ ref('base_marketing__offers') }}
    where rejection_code is null
),

final as (
    select
        offer_id,
        'marketing' as source_system,
        offer_id as source_record_id,
        campaign_id,
        offer_type,
        product_id,
        product_category,
        discount_percentage,
        valid_from_date,
        valid_to_date,
        source_file
    from offers
)

select * from final
