{#-
    The lake source tables that staging reads, one entry each:
      source_system, table_name  the dbt source (source_system.table_name is `source_table` in quarantine)
      raw_model                  the view over the lake files (rows in)
      base_model                 every row parsed and checked, with rejection_code / rejection_reason
      staged_model               the staging model holding the rows that passed
      header_lines               lines per file that are not rows (1 for CSV headers)
    Used by quarantined_rows, lake_file_issues and lake_inventory, so a new lake file is added in one
    place. Called as lake_tables(lake_mapped_tables(), hand_written_lake_tables()): mapped sources
    (generated from the sources YAML) come after the hand-written ones and replace a hand-written entry of
    the same table; the staged rows of a flat sales-order table are its order lines. (The lists are
    arguments, not looked up here, so that sqlfluff's Jinja can render the models.)
-#}
{% macro lake_tables(mapped, hand_written) -%}
    {%- set mapped_names = [] -%}
    {%- set tables = [] -%}
    {%- for table in mapped -%}
        {%- do mapped_names.append(table.source_system ~ '.' ~ table.table_name) -%}
    {%- endfor -%}
    {%- for table in hand_written -%}
        {%- if (table.source_system ~ '.' ~ table.table_name) not in mapped_names -%}
            {%- do tables.append(table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for table in mapped -%}
        {%- do tables.append(dict(table, staged_model=table.lines_model or table.staged_model)) -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}


{#-
    The lake tables whose staging models are written by hand (not generated from a mapping), as
    {source_system, table_name, raw_model, base_model, staged_model, header_lines}: none today, every
    lake source of the sample is mapped. A source staged by hand-written models adds its entry here.
-#}
{% macro hand_written_lake_tables() -%}
    {{ return([]) }}
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

{#-
    c360_order_implied_contact_sources()
        The sales-order models whose customers no contact source describes: a mapped order source (entity
        sales_order) whose customer_system maps no contact table, e.g. a lake that holds nothing but an order
        log (customer, date, amount). Each customer id such orders name becomes a contact of that system with
        the id alone (int_contacts_unioned), so the orders resolve to customers and the features and scores
        cover them; with a contact source for the system, its orders resolve through it as before (and an id
        it lacks is quarantined as unknown_customer). Returns [{staged_model, system}].
-#}
{% macro c360_order_implied_contact_sources() -%}
    {%- set contact_systems = ['crm', 'erp', 'shop', 'pos', 'game'] -%}
    {%- for table in lake_mapped_tables() if table.entity == 'contact' -%}
        {%- do contact_systems.append(table.source_system) -%}
    {%- endfor -%}
    {%- set sources = [] -%}
    {%- for table in lake_mapped_tables() if table.entity == 'sales_order' -%}
        {%- set system = table.customer_system or table.source_system -%}
        {%- if system not in contact_systems -%}
            {%- do sources.append({'staged_model': table.staged_model, 'system': system}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(sources) }}
{%- endmacro %}
