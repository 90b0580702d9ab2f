-- Sales orders of every channel for BI tools: sales_orders without the ordering contact's source key
-- (customer_contact_id: a CRM, shop or ERP account number or a loyalty card number, a way back to the
-- person in the source system). The customer is its surrogate customer_id.
with

sales_orders as (
    select * from {{ ref('sales_orders') }}
),

final as (
    select
        sales_order_id,
        source_system,
        source_record_id,
        order_number,
        channel,
        customer_id,
        customer_resolution,
        store_id,
        offer_id,
        order_status,
        ordered_at,
        order_date,
        transaction_currency_code,
        shipping_amount,
        shipping_amount_eur,
        total_amount,
        total_amount_eur,
        line_count
    from sales_orders
)

select * from final
