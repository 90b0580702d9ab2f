-- Generated from models/staging/reference/_reference__sources.yml
-- by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('reference', 'geoip_blocks') }}
