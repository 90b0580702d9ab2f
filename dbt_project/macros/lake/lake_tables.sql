{#-
    The lake source tables that staging reads, one entry each:
      source_system, table_name  the dbt source (source_system.table_name is `source_table` in quarantine)
      raw_model                  the view over the lake files (rows in)
      base_model                 every row parsed and checked, with rejection_code / rejection_reason
      staged_model               the staging model holding the rows that passed
      header_lines               lines per file that are not rows (1 for CSV headers)
    Used by quarantined_rows and lake_inventory, so a new lake file is added in one place.
-#}
{% macro lake_tables() -%}
    {{ return([
        {'source_system': 'crm', 'table_name': 'contacts', 'raw_model': 'raw_crm__contacts',
         'base_model': 'base_crm__contacts', 'staged_model': 'stg_crm__contacts', 'header_lines': 1},
        {'source_system': 'erp', 'table_name': 'customers', 'raw_model': 'raw_erp__customers',
         'base_model': 'base_erp__customers', 'staged_model': 'stg_erp__contacts', 'header_lines': 1},
        {'source_system': 'erp', 'table_name': 'sales_orders', 'raw_model': 'raw_erp__sales_orders',
         'base_model': 'base_erp__sales_orders', 'staged_model': 'stg_erp__sales_orders', 'header_lines': 1},
        {'source_system': 'erp', 'table_name': 'sales_order_lines', 'raw_model': 'raw_erp__sales_order_lines',
         'base_model': 'base_erp__sales_order_lines', 'staged_model': 'stg_erp__sales_order_lines',
         'header_lines': 1},
        {'source_system': 'shop', 'table_name': 'accounts', 'raw_model': 'raw_shop__accounts',
         'base_model': 'base_shop__accounts', 'staged_model': 'stg_shop__contacts', 'header_lines': 0},
        {'source_system': 'shop', 'table_name': 'orders', 'raw_model': 'raw_shop__orders',
         'base_model': 'base_shop__orders', 'staged_model': 'stg_shop__sales_orders', 'header_lines': 0},
        {'source_system': 'pos', 'table_name': 'transactions', 'raw_model': 'raw_pos__transactions',
         'base_model': 'base_pos__transactions', 'staged_model': 'stg_pos__sales_order_lines', 'header_lines': 0},
        {'source_system': 'pos', 'table_name': 'loyalty_members', 'raw_model': 'raw_pos__loyalty_members',
         'base_model': 'base_pos__loyalty_members', 'staged_model': 'stg_pos__contacts', 'header_lines': 1},
        {'source_system': 'web', 'table_name': 'clickstream', 'raw_model': 'raw_web__clickstream',
         'base_model': 'base_web__clickstream', 'staged_model': 'stg_web__click_events', 'header_lines': 0},
        {'source_system': 'game', 'table_name': 'telemetry', 'raw_model': 'raw_game__telemetry',
         'base_model': 'base_game__telemetry', 'staged_model': 'stg_game__game_events', 'header_lines': 0},
        {'source_system': 'game', 'table_name': 'players', 'raw_model': 'raw_game__players',
         'base_model': 'base_game__players', 'staged_model': 'stg_game__contacts', 'header_lines': 1},
        {'source_system': 'marketing', 'table_name': 'campaigns', 'raw_model': 'raw_marketing__campaigns',
         'base_model': 'base_marketing__campaigns', 'staged_model': 'stg_marketing__campaigns', 'header_lines': 1},
        {'source_system': 'marketing', 'table_name': 'offers', 'raw_model': 'raw_marketing__offers',
         'base_model': 'base_marketing__offers', 'staged_model': 'stg_marketing__offers', 'header_lines': 1},
        {'source_system': 'marketing', 'table_name': 'exposures', 'raw_model': 'raw_marketing__exposures',
         'base_model': 'base_marketing__exposures', 'staged_model': 'stg_marketing__campaign_exposures',
         'header_lines': 1},
        {'source_system': 'reference', 'table_name': 'products', 'raw_model': 'raw_reference__products',
         'base_model': 'base_reference__products', 'staged_model': 'stg_reference__products', 'header_lines': 1},
        {'source_system': 'reference', 'table_name': 'stores', 'raw_model': 'raw_reference__stores',
         'base_model': 'base_reference__stores', 'staged_model': 'stg_reference__stores', 'header_lines': 1},
        {'source_system': 'reference', 'table_name': 'fx_rates', 'raw_model': 'raw_reference__fx_rates',
         'base_model': 'base_reference__fx_rates', 'staged_model': 'stg_reference__fx_rates', 'header_lines': 1},
        {'source_system': 'reference', 'table_name': 'geoip_blocks', 'raw_model': 'raw_reference__geoip_blocks',
         'base_model': 'base_reference__geoip_blocks', 'staged_model': 'stg_reference__geo_networks',
         'header_lines': 1},
        {'source_system': 'reference', 'table_name': 'geoip_locations',
         'raw_model': 'raw_reference__geoip_locations', 'base_model': 'base_reference__geoip_locations',
         'staged_model': 'stg_reference__geo_locations', 'header_lines': 1},
    ]) }}
{%- endmacro %}
