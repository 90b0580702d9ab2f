-- Generated from models/staging/erp/_erp__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_erp__sales_orders') }}
-- depends_on: {{ ref('base_reference__products') }}
-- depends_on: {{ ref('base_reference__fx_rates') }}
{{ lake_mapped_base('erp', 'sales_order_lines') }}
