-- Generated from models/staging/crm/_crm__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('crm', 'contacts') }}
