{#-
    The lake source tables that staging reads, one entry each:
      source_system, table_name  the dbt source (source_system.table_name is `source_table` in quarantine)
      raw_model                  the view over the lake files (rows in)
      base_model                 every row parsed and checked, with rejection_code / rejection_reason
      staged_model               the staging model holding the rows that passed
      header_lines               lines per file that are not rows (1 for CSV headers)
    Used by quarantined_rows and lake_inventory, so a new lake file is added in one place. Mapped sources
    (lake_mapped_tables, generated from the sources YAML) come after the hand-written ones and replace a
    hand-written entry of the same table; the staged rows of a sales-order table are its order lines.
-#}
{% macro lake_tables() -%}
    {%- set mapped = lake_mapped_tables() -%}
    {%- set mapped_names = [] -%}
    {%- set tables = [] -%}
    {%- for table in mapped -%}
        {%- do mapped_names.append(table.source_system ~ '.' ~ table.table_name) -%}
    {%- endfor -%}
    {%- for table in hand_written_lake_tables() -%}
        {%- if (table.source_system ~ '.' ~ table.table_name) not in mapped_names -%}
            {%- do tables.append(table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for table in mapped -%}
        {%- do tables.append(dict(table, staged_model=table.lines_model or table.staged_model)) -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}


{#- The lake tables whose staging models are written by hand (not generated from a mapping). -#}
{% macro hand_written_lake_tables() -%}
    {{ return([
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


{#-
    The staging models of one conformed entity, every source system's: the hand-written ones and those
    generated from mappings (lake_mapped_tables), so a new mapped source flows into identity, orders and
    features with no SQL edit.
      c360_contact_models()       stg_<system>__contacts
      c360_order_systems()        systems with stg_<system>__sales_orders and stg_<system>__sales_order_lines
-#}
{% macro c360_contact_models() -%}
    {%- set models = [
        'stg_crm__contacts', 'stg_erp__contacts', 'stg_shop__contacts', 'stg_pos__contacts', 'stg_game__contacts',
    ] -%}
    {%- for table in lake_mapped_tables() if table.entity == 'contact' and table.staged_model not in models -%}
        {%- do models.append(table.staged_model) -%}
    {%- endfor -%}
    {{ return(models) }}
{%- endmacro %}

{% macro c360_order_systems() -%}
    {%- set systems = ['erp', 'shop', 'pos'] -%}
    {%- for table in lake_mapped_tables() if table.entity == 'sales_order' and table.source_system not in systems -%}
        {%- do systems.append(table.source_system) -%}
    {%- endfor -%}
    {{ return(systems) }}
{%- endmacro %}
