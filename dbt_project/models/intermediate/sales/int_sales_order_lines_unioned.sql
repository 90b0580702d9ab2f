-- Every staged order line of every order system (ERP, web shop, POS and the mapped order sources, macro
-- c360_order_systems) in the conformed line shape, selected by name. Features, campaigns and personalization
-- read order lines from here only, so a new order source needs no edit there.
{%- set systems = c360_order_systems() %}
{%- set line_columns = [
    'sales_order_line_id', 'sales_order_id', 'source_system', 'source_record_id', 'line_number', 'product_id',
    'quantity', 'price_per_unit', 'discount_amount', 'extended_amount', 'transaction_currency_code',
    'extended_amount_eur', 'ordered_at', 'order_date', 'source_file',
] %}

with

{% for system in systems %}
    {{ system }}_order_lines as (
        select * from {{ ref('stg_' ~ system ~ '__sales_order_lines') }}
    ),

{% endfor %}
unioned as (
    {% for system in systems %}
        select {{ line_columns | join(', ') }} from {{ system }}_order_lines
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select * from unioned
)

select * from final
