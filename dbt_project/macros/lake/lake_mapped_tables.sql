{#-
    Generated from the lake mappings (config.meta.lake.entity in models/staging/*/_*__sources.yml) by
    `python -m orchestration.lake_mappings`; do not edit.

    lake_mapped_tables():     one entry per mapped lake source table (source_system, table_name, entity,
                              raw_model, base_model, staged_model: the contacts or sales orders model,
                              lines_model: the sales order lines model or none, header_lines)
    lake_entity_attributes(): the registry of entities, orchestration/lake_mappings.py ENTITIES:
                              entity -> its attributes in order ({name, type, required})
-#}
{% macro lake_mapped_tables() -%}
    {{ return([
        {'source_system': 'crm', 'table_name': 'contacts', 'entity': 'contact', 'raw_model': 'raw_crm__contacts',
         'base_model': 'base_crm__contacts', 'staged_model': 'stg_crm__contacts', 'lines_model': none,
         'header_lines': 1},
        {'source_system': 'erp', 'table_name': 'customers', 'entity': 'contact', 'raw_model': 'raw_erp__customers',
         'base_model': 'base_erp__customers', 'staged_model': 'stg_erp__contacts', 'lines_model': none,
         'header_lines': 1},
        {'source_system': 'game', 'table_name': 'players', 'entity': 'contact', 'raw_model': 'raw_game__players',
         'base_model': 'base_game__players', 'staged_model': 'stg_game__contacts', 'lines_model': none,
         'header_lines': 1},
        {'source_system': 'pos', 'table_name': 'loyalty_members', 'entity': 'contact',
         'raw_model': 'raw_pos__loyalty_members', 'base_model': 'base_pos__loyalty_members',
         'staged_model': 'stg_pos__contacts', 'lines_model': none, 'header_lines': 1},
        {'source_system': 'shop', 'table_name': 'accounts', 'entity': 'contact', 'raw_model': 'raw_shop__accounts',
         'base_model': 'base_shop__accounts', 'staged_model': 'stg_shop__contacts', 'lines_model': none,
         'header_lines': 0},
    ]) }}
{%- endmacro %}


{% macro lake_entity_attributes() -%}
    {{ return({
        'contact': [
            {'name': 'source_record_id', 'type': 'text', 'required': true},
            {'name': 'first_name', 'type': 'text', 'required': false},
            {'name': 'last_name', 'type': 'text', 'required': false},
            {'name': 'full_name', 'type': 'text', 'required': false},
            {'name': 'nick_name', 'type': 'text', 'required': false},
            {'name': 'email_address_1', 'type': 'email', 'required': false},
            {'name': 'telephone_1', 'type': 'phone', 'required': false},
            {'name': 'mobile_phone', 'type': 'phone', 'required': false},
            {'name': 'address_1_line_1', 'type': 'text', 'required': false},
            {'name': 'address_1_line_2', 'type': 'text', 'required': false},
            {'name': 'address_1_city', 'type': 'text', 'required': false},
            {'name': 'address_1_state_or_province', 'type': 'text', 'required': false},
            {'name': 'address_1_postal_code', 'type': 'text', 'required': false},
            {'name': 'address_1_country', 'type': 'country', 'required': false},
            {'name': 'birth_date', 'type': 'date', 'required': false},
            {'name': 'birth_year', 'type': 'year', 'required': false},
            {'name': 'do_not_bulk_email', 'type': 'boolean', 'required': false},
            {'name': 'linked_source_system', 'type': 'text', 'required': false},
            {'name': 'linked_source_record_id', 'type': 'text', 'required': false},
            {'name': 'created_at', 'type': 'timestamp', 'required': false},
            {'name': 'modified_at', 'type': 'timestamp', 'required': false},
        ],
        'sales_order': [
            {'name': 'order_number', 'type': 'text', 'required': false},
            {'name': 'source_record_id', 'type': 'text', 'required': false},
            {'name': 'customer_source_record_id', 'type': 'text', 'required': false},
            {'name': 'customer_source_system', 'type': 'text', 'required': false},
            {'name': 'ordered_at', 'type': 'timestamp', 'required': true},
            {'name': 'order_status', 'type': 'text', 'required': false},
            {'name': 'channel', 'type': 'text', 'required': false},
            {'name': 'store_id', 'type': 'text', 'required': false},
            {'name': 'offer_id', 'type': 'text', 'required': false},
            {'name': 'product_id', 'type': 'text', 'required': false},
            {'name': 'quantity', 'type': 'decimal', 'required': false},
            {'name': 'price_per_unit', 'type': 'decimal', 'required': false},
            {'name': 'extended_amount', 'type': 'decimal', 'required': true},
            {'name': 'discount_amount', 'type': 'decimal', 'required': false},
            {'name': 'shipping_amount', 'type': 'decimal', 'required': false},
            {'name': 'transaction_currency_code', 'type': 'currency', 'required': false},
        ],
    }) }}
{%- endmacro %}
