-- Generated from models/staging/pos/_pos__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_pos__loyalty_members') }}
-- depends_on: {{ ref('base_reference__stores') }}
-- depends_on: {{ ref('base_reference__products') }}
-- depends_on: {{ ref('base_reference__fx_rates') }}
{{ lake_mapped_base('pos', 'transactions') }}
