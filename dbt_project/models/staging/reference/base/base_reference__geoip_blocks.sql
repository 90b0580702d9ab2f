-- Generated from models/staging/reference/_reference__sources.yml
-- by `python -m orchestration.lake_mappings`; do not edit.
{{ lake_mapped_base('reference', 'geoip_blocks') }}
