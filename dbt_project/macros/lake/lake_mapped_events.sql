{#-
    Mapped lake sources: behaviour events (see lake_mapped.sql and models/staging/_lake_mappings__docs.md).
    The generated staging models, views over their incremental base models, call

        stg_<system>__click_events  lake_mapped_click_events(system, table, customer_system)  entity click_event
        stg_<system>__game_events   lake_mapped_game_events(system, table, customer_system)   entity game_event

    customer_system: the contact source whose keys the events carry (customer_contact_id =
    '<customer_system>:<key>'; a purchase's order is '<customer_system>:<order number>').
-#}

{% macro lake_mapped_click_events(source_name, table_name, customer_system) -%}
    {%- set prefix = "'" ~ customer_system ~ ":'" -%}
    {{ return(lake_mapped_records(source_name, table_name, 'click_events', 'event_id', [
        'event_type', 'event_at', 'cast(event_at as date) as event_date', 'cookie_id', 'customer_source_record_id',
        'case when customer_source_record_id is not null then '
        ~ dbt.concat([prefix, 'customer_source_record_id']) ~ ' end as customer_contact_id',
        'ip_address', 'user_agent', 'page_url', 'product_id', 'offer_id',
        'case when order_number is not null then ' ~ dbt.concat([prefix, 'order_number']) ~ ' end as sales_order_id',
        'utm_campaign', 'utm_source', 'utm_medium',
    ])) }}
{%- endmacro %}

{#- amount_eur: the in-app purchase in EUR at the reference rate (NULL without a rate). -#}
{% macro lake_mapped_game_events(source_name, table_name, customer_system) -%}
    {%- set fx_model = ref('stg_reference__fx_rates') -%}
    {%- set rate = '(select max(fx_rates.eur_per_unit) from ' ~ fx_model ~ ' as fx_rates '
        ~ 'where fx_rates.currency_code = game_events.currency_code)' -%}
    {{ return(lake_mapped_records(source_name, table_name, 'game_events', 'event_id', [
        'event_type', 'event_at', 'cast(event_at as date) as event_date', 'player_id',
        dbt.concat(["'" ~ customer_system ~ ":'", 'player_id']) ~ ' as customer_contact_id',
        'session_id', 'platform', 'game_id', 'ip_address', 'level_number', 'session_duration_seconds', 'item_id',
        'amount', 'currency_code', 'cast(round(amount * ' ~ rate ~ ', 2) as decimal(18, 2)) as amount_eur',
    ])) }}
{%- endmacro %}
