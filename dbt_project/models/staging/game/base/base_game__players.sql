-- Generated from models/staging/game/_game__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ lake_mapped_base('game', 'players') }}
