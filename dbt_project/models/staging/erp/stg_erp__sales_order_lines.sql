-- Generated from models/staging/erp/_erp__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_erp__sales_order_lines') }}
{{ lake_mapped_sales_order_lines('erp', 'sales_orders') }}
