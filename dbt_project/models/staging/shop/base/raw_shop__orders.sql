-- Generated from models/staging/shop/_shop__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('shop', 'orders') }}
