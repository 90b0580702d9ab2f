{#- Mapped lake sources: the conformed staging models (see lake_mapped.sql). -#}


{#- ---- The staging models ---------------------------------------------------------------------------- -#}

{#- Value of a staged attribute: the base column, or the table default, or NULL typed. -#}
{% macro lake_mapped_or_default(mapping, name, default_sql, data_type) -%}
    {%- set attribute = mapping.attributes | selectattr('name', 'equalto', name) | first -%}
    {%- set configured = mapping.defaults.get(name) -%}
    {%- set quoted = "'" ~ configured | string | replace("'", "''") ~ "'" -%}
    {%- set fallback = quoted if configured is not none else default_sql -%}
    {%- if attribute.mapping is not none and fallback is not none -%}
        coalesce({{ name }}, {{ fallback }})
    {%- elif attribute.mapping is not none -%}
        {{ name }}
    {%- elif fallback is not none -%}
        cast({{ fallback }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{% macro lake_mapped_contacts(source_name, table_name) -%}
    {%- set base_model = ref('base_' ~ source_name ~ '__' ~ table_name) -%}
    {% if not execute -%}
        {{ return('select 1 as parse_placeholder') }}
    {% endif -%}
    {%- set mapping = lake_mapping(source_name, table_name) -%}
    {%- set full_name_attribute = mapping.attributes | selectattr('name', 'equalto', 'full_name') | first -%}
    {%- set split = (full_name_attribute.mapping or {}).get('split') -%}
    -- Contacts of lake source {{ mapping.name }} in the conformed CDM contact shape (generated from its mapping).
with

contacts as (
    select * from {{ base_model }}
    where rejection_code is null
),

named as (
    select
        contacts.*,
        {% if split == 'last_first' %}
            coalesce(first_name, {{ split_last_first_name('full_name', 'first') }}) as first_name_derived,
            coalesce(last_name, {{ split_last_first_name('full_name', 'last') }}) as last_name_derived
        {% elif split == 'first_last' %}
            coalesce(first_name, {{ lake_split_first_last('full_name', 'first') }}) as first_name_derived,
            coalesce(last_name, {{ lake_split_first_last('full_name', 'last') }}) as last_name_derived
        {% else %}
            first_name as first_name_derived,
            last_name as last_name_derived
        {% endif %}
    from contacts
),

final as (
    select
        {{ dbt.concat(["'" ~ source_name ~ ":'", 'source_record_id']) }} as contact_id,
        '{{ source_name }}' as source_system,
        source_record_id,
        first_name_derived as first_name,
        last_name_derived as last_name,
        {% if split %}
            {{ full_name('first_name_derived', 'last_name_derived') }} as full_name,
        {% else %}
            coalesce(full_name, {{ full_name('first_name_derived', 'last_name_derived') }}) as full_name,
        {% endif %}
        nick_name,
        email_address_1,
        telephone_1,
        mobile_phone,
        address_1_line_1,
        address_1_city,
        address_1_postal_code,
        address_1_country,
        birth_date,
        coalesce(cast(extract(year from birth_date) as integer), birth_year) as birth_year,
        government_id,
        do_not_bulk_email,
        case when linked_source_record_id is not null then linked_source_system end as linked_source_system,
        linked_source_record_id,
        created_at,
        modified_at,
        source_file,
        address_1_line_2,
        address_1_state_or_province,
        extra_attributes
    from named
)

select * from final
{%- endmacro %}

{#- "First Middle Last": part='first' -> "First Middle", part='last' -> "Last" (split at the last blank). -#}
{% macro lake_split_first_last(expression, part) -%}
    {%- set blank_from_end = dbt.position("' '", 'reverse(' ~ expression ~ ')') -%}
    {%- set last_blank = dbt.length(expression) ~ ' - ' ~ blank_from_end ~ ' + 1' -%}
    case
        when {{ dbt.position("' '", expression) }} = 0 then {{ 'null' if part == 'first' else expression }}
    {%- if part == 'first' %}
        else nullif(trim(substring({{ expression }}, 1, {{ last_blank }})), '')
    {%- else %}
        else nullif(trim(substring({{ expression }}, {{ last_blank }} + 1)), '')
    {%- endif %}
    end
{%- endmacro %}

{#-
    The order lines nested in each parseable row of a sales-order table mapped with `lines` (a JSON
    array): one row per element with source_file, line_number (of the row), line_index (1-based), the
    line attributes (lake_mapped_attribute_columns) and line_rejection_reason: why the line quarantines
    its order (a required or strict value missing or unusable, an unknown reference). A bad optional
    value is nulled, its reason kept in <attribute>__issue. Without a mapped
    line_item_number, a line's number is its position in the array.
-#}
{% macro lake_mapped_nested_lines(source_name, table_name) -%}
    {%- set raw_model = ref('raw_' ~ source_name ~ '__' ~ table_name) -%}
    {% if not execute -%}
        {{ return('select 1 as parse_placeholder') }}
    {% endif -%}
    {%- set table_mapping = lake_mapping(source_name, table_name) -%}
    {%- set mapping = dict(table_mapping, entity='sales_order_line', attributes=table_mapping.lines.attributes) -%}
    {%- set reference_targets = lake_reference_targets(source_name, table_name) -%}
    {%- set position_columns = [] -%}
    {%- set attributes = [] -%}
    {%- set read = [] -%}
    {%- for declared in mapping.attributes if declared.name != 'order_number' -%}
        {%- if declared.name == 'line_item_number' and declared.mapping is none -%}
            {#- without a mapped item number, a line's number is its position in the array -#}
            {%- do attributes.append(dict(declared, mapping={'path': 'its position'})) -%}
            {%- do position_columns.append(
                dbt.cast('elements.line_index', dbt.type_string()) ~ ' as line_item_number__value') -%}
        {%- else -%}
            {%- do attributes.append(declared) -%}
            {%- if declared.mapping is not none and declared.mapping.get('value') is none -%}
                {%- do read.append(declared) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set texts_column, value_columns = lake_mapped_json_values(mapping, read, 'elements', 'line_json') -%}
    {%- set columns = lake_mapped_attribute_columns(dict(mapping, attributes=attributes), attributes) -%}
    {%- set line_label = dbt.concat(["' (line '", dbt.cast('line_index', dbt.type_string()), "')'"]) -%}
    -- The order lines nested at {{ mapping.lines.path }} of lake source {{ mapping.name }}, one row per element.
with

raw_rows as (
    select * from {{ raw_model }}
),

json_rows as (
    {{ parse_json_lines('raw_rows') | indent(4) }}
),

elements as (
    select
        json_rows.source_file,
        json_rows.line_number,
        order_items.line_index,
        order_items.line_json
    from json_rows
    {{ json_array_elements('json_rows.json_record', mapping.lines.path, 'order_items', 'line_index', 'line_json') }}
    where json_rows.json_record is not null
),

fields as (
    select
        {{ (['elements.*'] + position_columns + value_columns) | join(',\n        ') }}
    from {{ '(select elements.*, ' ~ texts_column ~ ' from elements) as elements' if texts_column else 'elements' }}
),

typed as (
    select
        fields.*,
        {{ columns.typed | join(',\n        ') }}
    from fields
),

checked as (
    select
        typed.*,
        {{ columns.issue | join(',\n        ') }}
    from typed
),

required_checked as (
    select
        checked.*,
        {{ lake_mapped_required_check(dict(mapping, attributes=mapping.attributes | rejectattr('name', 'equalto', 'order_number') | list)) }} as check_required
    from checked
),

{{ lake_mapped_reference_checks(mapping, 'required_checked', reference_targets) }},

final as (
    select
        source_file,
        line_number,
        line_index,
        line_json,
        {{ dbt.concat(['coalesce(check_required, check_references)', line_label]) }} as line_rejection_reason,
        {{ columns.output | join(',\n        ') }}
    from references_checked
)

select * from final
{%- endmacro %}

{#-
    The staged rows that are order lines, with their order's key and time: the table's own rows (one
    per line; rows sharing an order number are one order), or, when a sales_order_line table names this
    one as its order_table, that table's rows joined to their order header here. Columns: the line
    attributes, order_key, ordered_at, transaction_currency_code, source_file, line_number.
-#}
{% macro lake_mapped_line_rows(mapping, lines_mapping) -%}
    {%- set base_model = ref('base_' ~ mapping.system ~ '__' ~ mapping.table) -%}
    {%- if mapping.lines %}
    select
        order_lines.*,
        order_headers.order_key,
        order_headers.ordered_at as order_ordered_at,
        order_headers.transaction_currency_code as order_currency_code
    from {{ ref('base_' ~ mapping.system ~ '__' ~ mapping.table ~ '_lines') }} as order_lines
    inner join (
        select
            source_file as header_file,
            line_number as header_line,
            {{ lake_mapped_order_key(mapping) }} as order_key,
            ordered_at,
            transaction_currency_code
        from {{ base_model }}
        where rejection_code is null
    ) as order_headers
        on
            order_lines.source_file = order_headers.header_file
            and order_lines.line_number = order_headers.header_line
    {%- elif lines_mapping is none %}
    select
        *,
        {{ lake_mapped_order_key(mapping) }} as order_key
    from {{ base_model }}
    where rejection_code is null
    {%- else %}
    select
        order_lines.*,
        order_headers.order_number as order_key,
        order_headers.ordered_at as order_ordered_at,
        order_headers.transaction_currency_code as order_currency_code
    from {{ ref('base_' ~ mapping.system ~ '__' ~ lines_mapping.table) }} as order_lines
    inner join {{ base_model }} as order_headers
        on order_lines.order_number = order_headers.order_number
    where order_lines.rejection_code is null and order_headers.rejection_code is null
    {%- endif %}
{%- endmacro %}

{#-
    Lines of a mapped sales-order table: one per staged line (see lake_mapped_line_rows). Amounts in the
    transaction currency and in EUR (rate 1 for EUR, else reference fx_rates).
-#}
{% macro lake_mapped_sales_order_lines(source_name, table_name) -%}
    {%- set base_model = ref('base_' ~ source_name ~ '__' ~ table_name) -%}
    {%- set fx_model = ref('stg_reference__fx_rates') -%}
    {% if not execute -%}
        {{ return('select 1 as parse_placeholder') }}
    {% endif -%}
    {%- set mapping = lake_mapping(source_name, table_name) -%}
    {%- set lines_mapping = lake_mapping(source_name, mapping.lines_table) if mapping.lines_table else none -%}
    {%- if mapping.lines -%}
        {%- set line_mapping = dict(mapping, attributes=mapping.lines.attributes) -%}
    {%- else -%}
        {%- set line_mapping = lines_mapping or mapping -%}
    {%- endif -%}
    {%- set has_line_key = lake_mapped_is_mapped(line_mapping, 'source_record_id') -%}
    {%- set has_item_number = lake_mapped_is_mapped(line_mapping, 'line_item_number') or mapping.lines -%}
    {%- set default_currency = "'" ~ var('c360_default_currency', 'EUR') ~ "'" -%}
    {%- set line_position = dbt.cast('keyed.line_position', dbt.type_string()) -%}
    {%- set line_position_key = dbt.concat(['keyed.order_key', "'-'", line_position]) -%}
    {%- set item_key = dbt.concat(['keyed.order_key', "'|'", 'keyed.line_item_number__text']) -%}
    {%- set generated_key = item_key if has_item_number else line_position_key -%}
    {%- set line_key = 'keyed.source_record_id' if has_line_key else generated_key -%}
    {%- if lines_mapping is none and not mapping.lines -%}
        {%- set currency = lake_mapped_or_default(mapping, 'transaction_currency_code', default_currency,
                                                    dbt.type_string()) -%}
        {%- set ordered_at = 'ordered_at' -%}
    {%- else -%}
        {%- set currency = 'coalesce(transaction_currency_code, order_currency_code, ' ~ default_currency ~ ')' -%}
        {%- set ordered_at = 'order_ordered_at' -%}
    {%- endif -%}
    -- Order lines of lake source {{ mapping.name }} in the conformed CDM shape (generated from its mapping).
with

order_rows as (
    {{- lake_mapped_line_rows(mapping, lines_mapping) | indent(4) }}
),

fx_rates as (
    select * from {{ fx_model }}
),

keyed as (
    select
        order_rows.*,
        row_number() over (
            partition by order_rows.order_key
            order by order_rows.source_file, order_rows.line_number
        ) as line_position,
        {{ currency }} as currency_code,
        {{ ordered_at }} as line_ordered_at,
        {{ lake_mapped_or_default(line_mapping, 'quantity', '1', 'decimal(18, 3)') }} as line_quantity
    from order_rows
),

amounts as (
    select
        keyed.*,
        {{ dbt.concat(["'" ~ source_name ~ ":'", 'keyed.order_key']) }} as sales_order_id,
        {{ line_key }} as line_key,
        cast(coalesce(
            keyed.extended_amount,
            round(keyed.line_quantity * keyed.price_per_unit, 2) - coalesce(keyed.discount_amount, 0)
        ) as decimal(18, 2)) as line_amount,
        case when keyed.currency_code = 'EUR' then 1 else fx_rates.eur_per_unit end as eur_per_unit
    from keyed
    left join fx_rates
        on keyed.currency_code = fx_rates.currency_code
),

final as (
    select
        {{ dbt.concat(["'" ~ source_name ~ ":'", 'line_key']) }} as sales_order_line_id,
        sales_order_id,
        '{{ source_name }}' as source_system,
        line_key as source_record_id,
        cast(coalesce(line_item_number, line_position) as integer) as line_number,
        coalesce(product_id, 'unknown') as product_id,
        line_quantity as quantity,
        cast(coalesce(price_per_unit, line_amount / nullif(line_quantity, 0)) as decimal(18, 2)) as price_per_unit,
        cast(coalesce(discount_amount, 0) as decimal(18, 2)) as discount_amount,
        line_amount as extended_amount,
        currency_code as transaction_currency_code,
        cast(round(line_amount * eur_per_unit, 2) as decimal(18, 2)) as extended_amount_eur,
        line_ordered_at as ordered_at,
        cast(line_ordered_at as date) as order_date,
        source_file
    from amounts
)

select * from final
{%- endmacro %}

{#-
    Orders of a mapped sales-order table: one per order number (or row), header values of its first row;
    totals from the staged lines. With a line table (lines_table), one per staged header row, lines or not.
-#}
{% macro lake_mapped_sales_orders(source_name, table_name) -%}
    {%- set base_model = ref('base_' ~ source_name ~ '__' ~ table_name) -%}
    {%- set lines_model = ref('stg_' ~ source_name ~ '__sales_order_lines') -%}
    {%- set fx_model = ref('stg_reference__fx_rates') -%}
    {% if not execute -%}
        {{ return('select 1 as parse_placeholder') }}
    {% endif -%}
    {%- set mapping = lake_mapping(source_name, table_name) -%}
    {%- set customer_system = "'" ~ mapping.customer_system ~ "'" -%}
    {%- set default_currency = "'" ~ var('c360_default_currency', 'EUR') ~ "'" -%}
    {%- set own_lines = mapping.lines_table is none and not mapping.lines -%}
    {%- if own_lines -%}
        {#- the order's file, time and currency: of its lines (its rows) -#}
        {%- set order_values = ['line_totals.source_file', 'line_totals.ordered_at',
                                'line_totals.transaction_currency_code'] -%}
    {%- else -%}
        {#- of its header row -#}
        {%- set order_values = ['headers.header_source_file as source_file', 'headers.header_ordered_at as ordered_at',
                                'headers.header_currency_code as transaction_currency_code'] -%}
    {%- endif -%}
    -- Orders of lake source {{ mapping.name }} in the conformed CDM shape (generated from its mapping).
with

order_rows as (
    select * from {{ base_model }}
    where rejection_code is null
),

order_lines as (
    select * from {{ lines_model }}
),

fx_rates as (
    select * from {{ fx_model }}
),

line_totals as (
    select
        sales_order_id,
        min(source_file) as source_file,
        min(ordered_at) as ordered_at,
        min(transaction_currency_code) as transaction_currency_code,
        count(*) as line_count,
        sum(extended_amount) as lines_amount,
        sum(extended_amount_eur) as lines_amount_eur,
        count(*) - count(extended_amount_eur) as lines_without_rate
    from order_lines
    group by sales_order_id
),

headers as (
    select
        {{ dbt.concat(["'" ~ source_name ~ ":'", lake_mapped_order_key(mapping)]) }} as sales_order_id,
        {{ lake_mapped_order_key(mapping) }} as order_key,
        {{ lake_mapped_or_default(mapping, 'order_number', none, dbt.type_string()) }} as order_number,
        {{ lake_mapped_or_default(mapping, 'customer_source_record_id', none, dbt.type_string()) }}
            as customer_source_record_id,
        {{ lake_mapped_or_default(mapping, 'customer_source_system', customer_system, dbt.type_string()) }}
            as customer_source_system,
        {{ lake_mapped_or_default(mapping, 'channel', "'" ~ source_name ~ "'", dbt.type_string()) }} as channel,
        {{ lake_mapped_or_default(mapping, 'store_id', none, dbt.type_string()) }} as store_id,
        {{ lake_mapped_or_default(mapping, 'offer_id', none, dbt.type_string()) }} as offer_id,
        lower({{ lake_mapped_or_default(mapping, 'order_status', "'completed'", dbt.type_string()) }}) as order_status,
        {{ lake_mapped_or_default(mapping, 'shipping_amount', '0', 'decimal(18, 2)') }} as shipping_amount,
        {{ lake_mapped_or_default(mapping, 'transaction_currency_code', default_currency, dbt.type_string()) }}
            as header_currency_code,
        ordered_at as header_ordered_at,
        source_file as header_source_file,
        row_number() over (
            partition by {{ lake_mapped_order_key(mapping) }} order by source_file, line_number
        ) as row_in_order
    from order_rows
),

joined as (
    select
        headers.*,
        {{ order_values | join(',\n        ') }},
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.lines_amount, 0) as lines_amount,
        coalesce(line_totals.lines_amount_eur, 0) as lines_amount_eur,
        coalesce(line_totals.lines_without_rate, 0) as lines_without_rate
    from headers
    {{ 'inner' if own_lines else 'left' }} join line_totals
        on headers.sales_order_id = line_totals.sales_order_id
    where headers.row_in_order = 1
),

rated as (
    select
        joined.*,
        case when joined.transaction_currency_code = 'EUR' then 1 else fx_rates.eur_per_unit end as eur_per_unit
    from joined
    left join fx_rates
        on joined.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        sales_order_id,
        '{{ source_name }}' as source_system,
        order_key as source_record_id,
        coalesce(order_number, order_key) as order_number,
        channel,
        case when customer_source_record_id is not null then customer_source_system end as customer_source_system,
        customer_source_record_id,
        case
            when customer_source_record_id is not null
                then {{ dbt.concat(['customer_source_system', "':'", 'customer_source_record_id']) }}
        end as customer_contact_id,
        store_id,
        offer_id,
        order_status,
        ordered_at,
        cast(ordered_at as date) as order_date,
        transaction_currency_code,
        cast(shipping_amount as decimal(18, 2)) as shipping_amount,
        cast(
            case
                when lines_without_rate = 0 and eur_per_unit is not null then round(shipping_amount * eur_per_unit, 2)
            end as decimal(18, 2)
        ) as shipping_amount_eur,
        cast(lines_amount + shipping_amount as decimal(18, 2)) as total_amount,
        cast(
            case
                when lines_without_rate = 0 and eur_per_unit is not null
                    then lines_amount_eur + round(shipping_amount * eur_per_unit, 2)
            end as decimal(18, 2)
        ) as total_amount_eur,
        cast(line_count as integer) as line_count,
        source_file
    from rated
)

select * from final
{%- endmacro %}

{#- The order key of a row: its order number, or file:line when orders are rows. -#}
{% macro lake_mapped_order_key(mapping) -%}
    {%- set row_position = dbt.concat(['source_file', "':'", dbt.cast('line_number', dbt.type_string())]) -%}
    {%- if (mapping.attributes | selectattr('name', 'equalto', 'order_number') | first).mapping is not none -%}
        coalesce(order_number, {{ row_position }})
    {%- else -%}
        {{ row_position }}
    {%- endif -%}
{%- endmacro %}
