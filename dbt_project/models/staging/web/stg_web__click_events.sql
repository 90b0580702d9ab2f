-- Generated from models/staging/web/_web__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ lake_mapped_click_events('web', 'clickstream', 'shop') }}
