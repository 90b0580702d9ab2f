-- Generated from models/staging/game/_game__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ read_lake_source('game', 'telemetry') }}
