-- Generated from models/staging/game/_game__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_reference__fx_rates') }}
{%- set lookups = [
    {'model': 'base_reference__fx_rates', 'columns': ['source_record_id', 'rejection_code']},
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ lake_files_delete_reparsed('game', 'telemetry', " ~ (lookups | tojson) ~ ") }}",
) }}
{{ lake_mapped_base('game', 'telemetry', lookups) }}
