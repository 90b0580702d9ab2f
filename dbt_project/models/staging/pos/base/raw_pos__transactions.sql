-- Generated from models/staging/pos/_pos__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('pos', 'transactions') }}
