-- Web clicks per day, customer, product and offer for BI tools: clicks_by_customer_product_offer without
-- its load bookkeeping (partition file fingerprint, dbt invocation). No personal data: the customer is
-- its surrogate id, cookies are only counted.
with

clicks as (
    select * from {{ ref('clicks_by_customer_product_offer') }}
),

final as (
    select
        event_date,
        customer_id,
        product_id,
        offer_id,
        product_category,
        click_count,
        page_view_count,
        product_view_count,
        add_to_cart_count,
        purchase_click_count,
        offer_impression_count,
        offer_click_count,
        logged_in_click_count,
        cookie_linked_click_count,
        cookie_count,
        loaded_at
    from clicks
)

select * from final
