-- Generated from models/staging/erp/_erp__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_erp__customers') }}
-- depends_on: {{ ref('base_reference__fx_rates') }}
{{ lake_mapped_base('erp', 'sales_orders') }}
