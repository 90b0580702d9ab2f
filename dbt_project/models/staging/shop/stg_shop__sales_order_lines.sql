-- Generated from models/staging/shop/_shop__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_shop__orders_lines') }}
{{ lake_mapped_sales_order_lines('shop', 'orders') }}
