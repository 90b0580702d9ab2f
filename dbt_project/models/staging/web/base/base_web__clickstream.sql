-- Generated from models/staging/web/_web__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_reference__products') }}
-- depends_on: {{ ref('base_marketing__offers') }}
{%- set lookups = [
    {'model': 'base_reference__products', 'columns': ['source_record_id', 'rejection_code']},
    {'model': 'base_marketing__offers', 'columns': ['source_record_id', 'rejection_code']},
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ lake_files_delete_reparsed('web', 'clickstream', " ~ (lookups | tojson) ~ ") }}",
) }}
{{ lake_mapped_base('web', 'clickstream', lookups) }}
