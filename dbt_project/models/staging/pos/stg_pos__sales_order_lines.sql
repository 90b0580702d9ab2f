-- Generated from models/staging/pos/_pos__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ lake_mapped_sales_order_lines('pos', 'transactions') }}
