-- Generated from models/staging/erp/_erp__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('erp', 'sales_orders') }}
