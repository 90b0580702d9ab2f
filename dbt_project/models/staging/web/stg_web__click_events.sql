{{ config(materialized='view') }}

-- A view over the incremental base model: the accepted rows, without a second copy to keep in step.
with

clickstream as (
    select * from {{ ref('base_web__clickstream') }}
    where rejection_code is null
),

final as (
    select
        event_id,
        'web' as source_system,
        event_id as source_record_id,
        event_type,
        event_at,
        cast(event_at as date) as event_date,
        cookie_id,
        shop_account_id,
        case when shop_account_id is not null then {{ dbt.concat(["'shop:'", 'shop_account_id']) }} end
            as customer_contact_id,
        ip_address,
        user_agent,
        page_url,
        product_id,
        offer_id,
        case when shop_order_id is not null then {{ dbt.concat(["'shop:'", 'shop_order_id']) }} end
            as sales_order_id,
        utm_campaign,
        utm_source,
        utm_medium,
        source_file
    from clickstream
)

select * from final
