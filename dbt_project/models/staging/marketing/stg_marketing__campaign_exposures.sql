-- Generated from models/staging/marketing/_marketing__sources.yml
-- by `python -m orchestration.lake_mappings`; do not edit.
{{ lake_mapped_campaign_exposures('marketing', 'exposures') }}
