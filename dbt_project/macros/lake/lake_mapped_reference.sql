{#-
    Mapped lake sources: reference and marketing data (see lake_mapped.sql and
    models/staging/_lake_mappings__docs.md). The generated staging models call

        stg_<system>__products            lake_mapped_products(system, table)             entity product
        stg_<system>__stores              lake_mapped_stores(system, table)               entity store
        stg_<system>__fx_rates            lake_mapped_fx_rates(system, table)             entity fx_rate
        stg_<system>__campaigns           lake_mapped_campaigns(system, table)            entity campaign
        stg_<system>__offers              lake_mapped_offers(system, table)               entity offer
        stg_<system>__campaign_exposures  lake_mapped_campaign_exposures(system, table)   entity campaign_exposure

    and the base model (lake_mapped_base) checks their values with the options below, which any entity
    may use: a mapping's `map` (source value -> CDM value), an attribute's accepted `values`, the types
    share / percentage / rate, `not_before` (an end date) and `required_when` (a value needed when another
    attribute has a given value).
-#}


{#- ---- Value options ------------------------------------------------------------------------------- -#}

{#- A YAML scalar as the text a file holds: true / false lower case, the rest as written. -#}
{% macro lake_yaml_text(value) -%}
    {%- if value is sameas true or value is sameas false -%}
        {{ return(value | string | lower) }}
    {%- endif -%}
    {{ return(value | string) }}
{%- endmacro %}

{#- The source values a mapping's `map` translates, as texts. -#}
{% macro lake_mapped_translation_keys(attribute) -%}
    {%- set keys = [] -%}
    {%- for key in ((attribute.mapping or {}).get('map') or {}) -%}
        {%- do keys.append(lake_yaml_text(key)) -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{#- The value text translated by the mapping's `map` (NULL for a value it does not list); else unchanged. -#}
{% macro lake_mapped_translated(attribute, value) -%}
    {%- set translation = (attribute.mapping or {}).get('map') -%}
    {%- if not translation -%}
        {{ return(value) }}
    {%- endif -%}
    {%- set branches = [] -%}
    {%- for key, target in translation.items() -%}
        {%- do branches.append(
            'when ' ~ lake_sql_strings([lake_yaml_text(key)]) ~ ' then ' ~ lake_sql_strings([lake_yaml_text(target)])
        ) -%}
    {%- endfor -%}
    {{ return('case ' ~ value ~ ' ' ~ branches | join(' ') ~ ' end') }}
{%- endmacro %}

{#- A `when` of lake_mapped_issue: a value the mapping's `map` does not list is unusable. -#}
{% macro lake_mapped_translation_check(attribute, value, label) -%}
    {%- set keys = lake_mapped_translation_keys(attribute) -%}
    {%- set message = 'bad_value: not one of ' ~ keys | join(', ') ~ ' (' ~ label ~ ')' -%}
    {%- if keys %}
        when {{ value }} is not null and {{ value }} not in ({{ lake_sql_strings(keys) }})
            then '{{ message | replace("'", "''") }}'
    {%- endif %}
{%- endmacro %}

{#- The typed value of a share, percentage or rate (NULL when it does not parse). -#}
{% macro lake_mapped_typed_number(mapping, attribute, value) -%}
    {%- set data_types = {'share': 'decimal(9, 4)', 'percentage': 'decimal(5, 2)', 'rate': 'decimal(18, 8)'} -%}
    {{ parse_decimal(value, data_types[attribute.type], decimal_separator=mapping.decimal_separator) }}
{%- endmacro %}

{#-
    `when`s of lake_mapped_issue after the type's own: a share, percentage or rate that does not parse
    or is out of its range, a value not among the attribute's accepted `values`, a date before the
    attribute named by `not_before`, a typed key (fx_rate: a currency code) not written as typed.
-#}
{% macro lake_mapped_value_checks(mapping, attribute, value, typed, label) -%}
    {%- set kind = attribute.type -%}
    {%- set ranges = {
        'share': [typed ~ ' < 0 or ' ~ typed ~ ' >= 1', 'not a share in [0, 1)'],
        'percentage': [typed ~ ' <= 0 or ' ~ typed ~ ' > 100', 'not a percentage in (0, 100]'],
        'rate': [typed ~ ' <= 0', 'not a positive rate'],
    } -%}
    {%- set accepted = attribute.get('values') or [] -%}
    {%- set not_before = attribute.get('not_before') -%}
    {%- set unparsed = 'bad_number: not a number with decimal separator ' ~ mapping.decimal_separator -%}
    {#- a typed key (a currency code) must be written as typed, so that duplicates are found on the text -#}
    {%- set key_message = 'bad_value: a key must be written in its standard form, e.g. upper case' -%}
    {%- if kind in ranges %}
        when {{ value }} is not null and {{ typed }} is null
            then '{{ (unparsed ~ ' (' ~ label ~ ')') | replace("'", "''") }}'
        when {{ ranges[kind][0] }}
            then '{{ ('bad_number: ' ~ ranges[kind][1] ~ ' (' ~ label ~ ')') | replace("'", "''") }}'
    {%- endif %}
    {%- if accepted %}
        when {{ typed }} not in ({{ lake_sql_strings(accepted) }})
            then '{{ ('bad_value: not one of ' ~ accepted | join(', ') ~ ' (' ~ label ~ ')') | replace("'", "''") }}'
    {%- endif %}
    {%- if not_before %}
        when {{ typed }} < {{ not_before }}__typed
            then '{{ ('bad_date: before ' ~ not_before ~ ' (' ~ label ~ ')') | replace("'", "''") }}'
    {%- endif %}
    {%- if attribute.name == 'source_record_id' and kind != 'text' %}
        when {{ typed }} <> {{ value }}
            then '{{ (key_message ~ ' (' ~ label ~ ')') | replace("'", "''") }}'
    {%- endif %}
{%- endmacro %}

{#-
    `when`s of lake_mapped_required_check: an attribute with `required_when: [other, value]` must have a
    usable value in the rows whose `other` has that value (a product offer names its product).
-#}
{% macro lake_mapped_required_when_checks(mapping) -%}
    {%- for attribute in mapping.attributes if attribute.get('required_when') %}
        {%- set condition = attribute.get('required_when') %}
        {%- set label = lake_mapped_column_label(attribute) if attribute.mapping else attribute.name %}
        {%- set message = 'missing_value: ' ~ label ~ ' is empty, required when ' ~ condition[0] ~ ' is '
            ~ condition[1] %}
        when {{ condition[0] }}__typed = {{ lake_sql_strings([condition[1]]) }} and {{ attribute.name }}__issue is not null
            then {{ attribute.name }}__issue
        when {{ condition[0] }}__typed = {{ lake_sql_strings([condition[1]]) }} and {{ attribute.name }}__typed is null
            then '{{ message | replace("'", "''") }}'
    {%- endfor %}
{%- endmacro %}


{#- ---- The staging models ---------------------------------------------------------------------------- -#}

{#-
    The staged rows of a mapped table: <key_column> (the record key), source_system, source_record_id,
    the given columns (attributes of the base model, or `<expression> as <name>`) and source_file. A key
    typed other than text (key_type, e.g. dbt.type_bigint()) is cast to it, and source_record_id to text.
-#}
{% macro lake_mapped_records(source_name, table_name, records, key_column, columns, key_type=none) -%}
    {%- set base_model = ref('base_' ~ source_name ~ '__' ~ table_name) -%}
    -- {{ records | capitalize }} of lake source {{ source_name }}.{{ table_name }} in the conformed CDM shape
    -- (generated from its mapping).
with

{{ records }} as (
    select * from {{ base_model }}
    where rejection_code is null
),

final as (
    select
        {{ dbt.cast('source_record_id', key_type) if key_type else 'source_record_id' }} as {{ key_column }},
        '{{ source_name }}' as source_system,
        {{ dbt.cast('source_record_id', dbt.type_string()) if key_type else 'source_record_id' }} as source_record_id,
    {%- for column in columns %}
        {{ column }},
    {%- endfor %}
        source_file
    from {{ records }}
)

select * from final
{%- endmacro %}

{% macro lake_mapped_products(source_name, table_name) -%}
    {{ return(lake_mapped_records(source_name, table_name, 'products', 'product_id', [
        'product_name', 'category', 'brand', 'list_price_eur', 'launched_on',
    ])) }}
{%- endmacro %}

{% macro lake_mapped_stores(source_name, table_name) -%}
    {{ return(lake_mapped_records(source_name, table_name, 'stores', 'store_id', [
        'store_name', 'address_1_line_1', 'address_1_postal_code', 'address_1_city', 'address_1_state_or_province',
        'address_1_country', 'opened_on',
    ])) }}
{%- endmacro %}

{#- The key of a rate is its currency's ISO-4217 code (upper case). -#}
{% macro lake_mapped_fx_rates(source_name, table_name) -%}
    {{ return(lake_mapped_records(source_name, table_name, 'fx_rates', 'currency_code', ['eur_per_unit'])) }}
{%- endmacro %}

{% macro lake_mapped_campaigns(source_name, table_name) -%}
    {{ return(lake_mapped_records(source_name, table_name, 'campaigns', 'campaign_id', [
        'campaign_name', 'channel', 'campaign_type', 'target_category', 'start_date', 'end_date',
        'budget_amount_eur', 'holdout_share',
    ])) }}
{%- endmacro %}

{% macro lake_mapped_offers(source_name, table_name) -%}
    {{ return(lake_mapped_records(source_name, table_name, 'offers', 'offer_id', [
        'campaign_id', 'offer_type', 'product_id', 'product_category', 'discount_percentage', 'valid_from_date',
        'valid_to_date',
    ])) }}
{%- endmacro %}

{#- recipient_contact_id: the recipient's contact_id in its own system (recipient_source_system:recipient_id). -#}
{% macro lake_mapped_campaign_exposures(source_name, table_name) -%}
    {%- set contact_id = dbt.concat(['recipient_source_system', "':'", 'recipient_id']) -%}
    {{ return(lake_mapped_records(source_name, table_name, 'exposures', 'exposure_id', [
        'campaign_id', 'offer_id', contact_id ~ ' as recipient_contact_id', 'recipient_type', 'recipient_id',
        'is_holdout', 'assigned_at', 'sent_at', 'clicked_at',
    ])) }}
{%- endmacro %}
