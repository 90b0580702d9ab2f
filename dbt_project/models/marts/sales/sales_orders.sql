-- All sales orders of every channel (ERP, web shop, POS) in one conformed shape, each with the golden
-- customer it belongs to through customer_identity_map. Anonymous till receipts (no loyalty card) have no
-- customer (customer_resolution = anonymous). One row per staged order; amounts as staged, in the
-- transaction currency and in EUR.
{%- set channels = c360_order_systems() %}
{%- set order_columns = [
    'sales_order_id', 'source_system', 'source_record_id', 'order_number', 'channel', 'customer_contact_id',
    'store_id', 'offer_id', 'order_status', 'ordered_at', 'order_date', 'transaction_currency_code',
    'shipping_amount', 'shipping_amount_eur', 'total_amount', 'total_amount_eur', 'line_count',
] %}

with

{% for channel in channels %}
    {{ channel }}_orders as (
        select * from {{ ref('stg_' ~ channel ~ '__sales_orders') }}
    ),

{% endfor %}

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

unioned as (
    {% for channel in channels %}
        select {{ order_columns | join(', ') }} from {{ channel }}_orders
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        unioned.sales_order_id,
        unioned.source_system,
        unioned.source_record_id,
        unioned.order_number,
        unioned.channel,
        unioned.customer_contact_id,
        identity_map.customer_id,
        case
            when identity_map.customer_id is not null then 'resolved'
            when unioned.customer_contact_id is not null then 'unknown_contact'
            else 'anonymous'
        end as customer_resolution,
        unioned.store_id,
        unioned.offer_id,
        unioned.order_status,
        unioned.ordered_at,
        unioned.order_date,
        unioned.transaction_currency_code,
        unioned.shipping_amount,
        unioned.shipping_amount_eur,
        unioned.total_amount,
        unioned.total_amount_eur,
        unioned.line_count
    from unioned
    left join identity_map
        on unioned.customer_contact_id = identity_map.contact_id
)

select * from final
