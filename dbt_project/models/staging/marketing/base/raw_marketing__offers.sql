-- Generated from models/staging/marketing/_marketing__sources.yml
-- by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('marketing', 'offers') }}
