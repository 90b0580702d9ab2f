-- Generated from models/staging/shop/_shop__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
-- depends_on: {{ ref('base_shop__accounts') }}
-- depends_on: {{ ref('base_marketing__offers') }}
-- depends_on: {{ ref('base_reference__fx_rates') }}
-- depends_on: {{ ref('base_reference__products') }}
-- depends_on: {{ ref('base_shop__orders_lines') }}
{{ lake_mapped_base('shop', 'orders') }}
