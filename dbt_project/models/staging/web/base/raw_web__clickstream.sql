-- Generated from models/staging/web/_web__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('web', 'clickstream') }}
