-- Generated from models/staging/shop/_shop__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ lake_mapped_base('shop', 'accounts') }}
