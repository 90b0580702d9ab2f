-- Generated from models/staging/game/_game__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ config(materialized='view') }}

{{ lake_mapped_game_events('game', 'telemetry', 'game') }}
