-- Generated from models/staging/marketing/_marketing__sources.yml
-- by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_marketing__campaigns') }}
-- depends_on: {{ ref('base_reference__products') }}
{{ lake_mapped_base('marketing', 'offers') }}
