{#-
    Generated from the lake mappings (config.meta.lake.entity in models/staging/*/_*__sources.yml) by
    `python -m orchestration.lake_mappings`; do not edit.

    lake_mapped_tables():     one entry per mapped lake source table (source_system, table_name, entity,
                              raw_model, base_model, staged_model: the contacts or sales orders model,
                              lines_model: the sales order lines model or none, header_lines,
                              customer_system, references: the kinds of record mapped values name)
    lake_entity_attributes(): the registry of entities, orchestration/lake_mappings.py ENTITIES:
                              entity -> its attributes in order ({name, type, required, strict, references})
    lake_reference_kinds():   the records attributes with `references` name, REFERENCE_TARGETS: kind ->
                              {staged, base, code, label} ('contact': the customer system's contacts)
-#}
{% macro lake_mapped_tables() -%}
    {{ return([
        {'source_system': 'crm', 'table_name': 'contacts', 'entity': 'contact', 'raw_model': 'raw_crm__contacts',
         'base_model': 'base_crm__contacts', 'staged_model': 'stg_crm__contacts', 'lines_model': none,
         'header_lines': 1, 'customer_system': none, 'references': [], 'order_table': none, 'lines_table': none},
        {'source_system': 'erp', 'table_name': 'customers', 'entity': 'contact', 'raw_model': 'raw_erp__customers',
         'base_model': 'base_erp__customers', 'staged_model': 'stg_erp__contacts', 'lines_model': none,
         'header_lines': 1, 'customer_system': none, 'references': [], 'order_table': none, 'lines_table': none},
        {'source_system': 'erp', 'table_name': 'sales_order_lines', 'entity': 'sales_order_line',
         'raw_model': 'raw_erp__sales_order_lines', 'base_model': 'base_erp__sales_order_lines',
         'staged_model': 'stg_erp__sales_order_lines', 'lines_model': none, 'header_lines': 1,
         'customer_system': none, 'references': ['order', 'product', 'currency'], 'order_table': 'sales_orders',
         'lines_table': none},
        {'source_system': 'erp', 'table_name': 'sales_orders', 'entity': 'sales_order',
         'raw_model': 'raw_erp__sales_orders', 'base_model': 'base_erp__sales_orders',
         'staged_model': 'stg_erp__sales_orders', 'lines_model': 'stg_erp__sales_order_lines', 'header_lines': 1,
         'customer_system': 'erp', 'references': ['contact', 'currency'], 'order_table': none,
         'lines_table': 'sales_order_lines'},
        {'source_system': 'game', 'table_name': 'players', 'entity': 'contact', 'raw_model': 'raw_game__players',
         'base_model': 'base_game__players', 'staged_model': 'stg_game__contacts', 'lines_model': none,
         'header_lines': 1, 'customer_system': none, 'references': [], 'order_table': none, 'lines_table': none},
        {'source_system': 'pos', 'table_name': 'loyalty_members', 'entity': 'contact',
         'raw_model': 'raw_pos__loyalty_members', 'base_model': 'base_pos__loyalty_members',
         'staged_model': 'stg_pos__contacts', 'lines_model': none, 'header_lines': 1, 'customer_system': none,
         'references': [], 'order_table': none, 'lines_table': none},
        {'source_system': 'pos', 'table_name': 'transactions', 'entity': 'sales_order',
         'raw_model': 'raw_pos__transactions', 'base_model': 'base_pos__transactions',
         'staged_model': 'stg_pos__sales_orders', 'lines_model': 'stg_pos__sales_order_lines', 'header_lines': 0,
         'customer_system': 'pos', 'references': ['contact', 'store', 'product', 'currency'], 'order_table': none,
         'lines_table': none},
        {'source_system': 'shop', 'table_name': 'accounts', 'entity': 'contact', 'raw_model': 'raw_shop__accounts',
         'base_model': 'base_shop__accounts', 'staged_model': 'stg_shop__contacts', 'lines_model': none,
         'header_lines': 0, 'customer_system': none, 'references': [], 'order_table': none, 'lines_table': none},
        {'source_system': 'shop', 'table_name': 'orders', 'entity': 'sales_order', 'raw_model': 'raw_shop__orders',
         'base_model': 'base_shop__orders', 'staged_model': 'stg_shop__sales_orders',
         'lines_model': 'stg_shop__sales_order_lines', 'header_lines': 0, 'customer_system': 'shop',
         'references': ['contact', 'offer', 'currency', 'product'], 'order_table': none, 'lines_table': none},
    ]) }}
{%- endmacro %}


{% macro lake_entity_attributes() -%}
    {{ return({
        'contact': [
            {'name': 'source_record_id', 'type': 'text', 'required': true, 'strict': false, 'references': none},
            {'name': 'first_name', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'last_name', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'full_name', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'nick_name', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'email_address_1', 'type': 'email', 'required': false, 'strict': false, 'references': none},
            {'name': 'telephone_1', 'type': 'phone', 'required': false, 'strict': false, 'references': none},
            {'name': 'mobile_phone', 'type': 'phone', 'required': false, 'strict': false, 'references': none},
            {'name': 'address_1_line_1', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'address_1_line_2', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'address_1_city', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'address_1_state_or_province', 'type': 'text', 'required': false, 'strict': false,
             'references': none},
            {'name': 'address_1_postal_code', 'type': 'text', 'required': false, 'strict': false,
             'references': none},
            {'name': 'address_1_country', 'type': 'country', 'required': false, 'strict': false,
             'references': none},
            {'name': 'birth_date', 'type': 'date', 'required': false, 'strict': false, 'references': none},
            {'name': 'birth_year', 'type': 'year', 'required': false, 'strict': false, 'references': none},
            {'name': 'do_not_bulk_email', 'type': 'boolean', 'required': false, 'strict': false,
             'references': none},
            {'name': 'linked_source_system', 'type': 'text', 'required': false, 'strict': false,
             'references': none},
            {'name': 'linked_source_record_id', 'type': 'text', 'required': false, 'strict': false,
             'references': none},
            {'name': 'created_at', 'type': 'timestamp', 'required': false, 'strict': false, 'references': none},
            {'name': 'modified_at', 'type': 'timestamp', 'required': false, 'strict': false, 'references': none},
        ],
        'sales_order': [
            {'name': 'order_number', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'source_record_id', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'line_item_number', 'type': 'integer', 'required': false, 'strict': true, 'references': none},
            {'name': 'customer_source_record_id', 'type': 'text', 'required': false, 'strict': false,
             'references': 'contact'},
            {'name': 'customer_source_system', 'type': 'text', 'required': false, 'strict': false,
             'references': none},
            {'name': 'ordered_at', 'type': 'timestamp', 'required': true, 'strict': false, 'references': none},
            {'name': 'ordered_time', 'type': 'time', 'required': false, 'strict': true, 'references': none},
            {'name': 'order_status', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'channel', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'store_id', 'type': 'text', 'required': false, 'strict': false, 'references': 'store'},
            {'name': 'offer_id', 'type': 'text', 'required': false, 'strict': false, 'references': 'offer'},
            {'name': 'product_id', 'type': 'text', 'required': false, 'strict': false, 'references': 'product'},
            {'name': 'quantity', 'type': 'decimal', 'required': false, 'strict': true, 'references': none},
            {'name': 'price_per_unit', 'type': 'decimal', 'required': false, 'strict': true, 'references': none},
            {'name': 'extended_amount', 'type': 'decimal', 'required': true, 'strict': false, 'references': none},
            {'name': 'discount_amount', 'type': 'decimal', 'required': false, 'strict': true, 'references': none},
            {'name': 'shipping_amount', 'type': 'decimal', 'required': false, 'strict': true, 'references': none},
            {'name': 'transaction_currency_code', 'type': 'currency', 'required': false, 'strict': true,
             'references': 'currency'},
        ],
        'sales_order_line': [
            {'name': 'order_number', 'type': 'text', 'required': true, 'strict': false, 'references': 'order'},
            {'name': 'source_record_id', 'type': 'text', 'required': false, 'strict': false, 'references': none},
            {'name': 'line_item_number', 'type': 'integer', 'required': false, 'strict': true, 'references': none},
            {'name': 'product_id', 'type': 'text', 'required': false, 'strict': false, 'references': 'product'},
            {'name': 'quantity', 'type': 'decimal', 'required': false, 'strict': true, 'references': none},
            {'name': 'price_per_unit', 'type': 'decimal', 'required': false, 'strict': true, 'references': none},
            {'name': 'extended_amount', 'type': 'decimal', 'required': true, 'strict': false, 'references': none},
            {'name': 'discount_amount', 'type': 'decimal', 'required': false, 'strict': true, 'references': none},
            {'name': 'transaction_currency_code', 'type': 'currency', 'required': false, 'strict': true,
             'references': 'currency'},
        ],
    }) }}
{%- endmacro %}


{% macro lake_reference_kinds() -%}
    {{ return({
        'product':
            {'staged': 'stg_reference__products', 'base': 'base_reference__products', 'code': 'unknown_sku',
             'label': 'a staged product'},
        'store':
            {'staged': 'stg_reference__stores', 'base': 'base_reference__stores', 'code': 'unknown_store',
             'label': 'a staged store'},
        'currency':
            {'staged': 'stg_reference__fx_rates', 'base': 'base_reference__fx_rates', 'code': 'unknown_currency',
             'label': 'a currency with a rate in reference fx_rates'},
        'offer':
            {'staged': 'stg_marketing__offers', 'base': 'base_marketing__offers', 'code': 'unknown_offer',
             'label': 'a staged marketing offer'},
        'campaign':
            {'staged': 'stg_marketing__campaigns', 'base': 'base_marketing__campaigns', 'code': 'unknown_campaign',
             'label': 'a staged campaign'},
    }) }}
{%- endmacro %}
