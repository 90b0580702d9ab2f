{#-
    Mapped lake sources (models/staging/_lake_mappings__docs.md): a source table
    whose config.meta.lake names an `entity` and a column mapping is staged by these macros alone. The
    generated models (python -m orchestration.lake_mappings) call them:

        base_<system>__<table>          lake_mapped_base(system, table)
        stg_<system>__contacts          lake_mapped_contacts(system, table)
        stg_<system>__sales_orders      lake_mapped_sales_orders(system, table)
        stg_<system>__sales_order_lines lake_mapped_sales_order_lines(system, table)

    The base model gives, for every row of every file: source_file, line_number, row_key, raw_record,
    rejection_code / rejection_reason (row quarantine: broken structure, a missing required column, an
    empty or unreadable required value or key, a duplicate key), missing_columns (mapped columns the
    row's file lacks), extra_attributes (the unmapped columns as JSON text) and per entity attribute
    <attribute> (typed; NULL when absent or bad), <attribute>__value (the text as read) and
    <attribute>__issue (NULL or 'code: text' when a bad optional value was nulled; attribute_issues
    lists them).
-#}


{#- ---- The mapping, from the dbt graph (execution time) ------------------------------------------- -#}

{#-
    The mapping of one table: the lake spec (lake_source_spec) plus entity, attributes (the entity's
    attribute list, each with its mapping or none) and the table options. Attribute mappings are dicts:
    {column, path, position, value, format, split}. Errors name the table and the attribute.
-#}
{% macro lake_mapping(source_name, table_name) -%}
    {%- set spec = lake_source_spec(source_name, table_name) -%}
    {%- set lake = spec.lake -%}
    {%- set entities = lake_entity_attributes() -%}
    {%- if lake.get('entity') not in entities -%}
        {{ exceptions.raise_compiler_error(
            "Lake source " ~ spec.name ~ ": entity must be one of " ~ entities.keys() | list | join(', ')
        ) }}
    {%- endif -%}
    {%- set declared = lake.get('columns') or {} -%}
    {%- set attributes = [] -%}
    {%- for attribute in entities[lake.entity] -%}
        {%- set raw_mapping = declared.get(attribute.name) -%}
        {%- if raw_mapping is none -%}
            {%- set mapping = none -%}
        {%- elif raw_mapping is mapping -%}
            {%- set mapping = raw_mapping -%}
        {%- elif raw_mapping is number -%}
            {%- set mapping = {'position': raw_mapping} -%}
        {%- else -%}
            {%- set mapping = {'column': raw_mapping | string} -%}
        {%- endif -%}
        {%- if mapping is not none and spec.format == 'jsonl' and mapping.get('column') is not none -%}
            {%- set column = mapping.column -%}
            {%- set mapping = dict(mapping, path=(column if column.startswith('$') else '$.' ~ column)) -%}
        {%- endif -%}
        {%- do attributes.append(dict(attribute, mapping=mapping)) -%}
    {%- endfor -%}
    {%- for name in declared -%}
        {%- if name not in entities[lake.entity] | map(attribute='name') | list -%}
            {{ exceptions.raise_compiler_error(
                "Lake source " ~ spec.name ~ ": '" ~ name ~ "' is not an attribute of entity " ~ lake.entity
                ~ " (see models/staging/_lake_mappings__docs.md)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(dict(
        spec,
        entity=lake.entity,
        system=source_name,
        table=table_name,
        attributes=attributes,
        header=lake.get('header', true),
        quote=lake.get('quote', '"'),
        date_format=lake.get('date_format'),
        decimal_separator=lake.get('decimal_separator', '.'),
        null_values=lake.get('null_values') or [],
        defaults=lake.get('defaults') or {},
        customer_system=lake.get('customer_system', source_name),
    )) }}
{%- endmacro %}


{#- The mapped attributes read from the file (not constants), and the file-level name of each. -#}
{% macro lake_mapped_from_file(mapping) -%}
    {%- set read = [] -%}
    {%- for attribute in mapping.attributes -%}
        {%- if attribute.mapping is not none and attribute.mapping.get('value') is none -%}
            {%- do read.append(attribute) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(read) }}
{%- endmacro %}

{#- How a column is named in messages: its header name, JSON path or position. -#}
{% macro lake_mapped_column_label(attribute) -%}
    {%- set mapping = attribute.mapping -%}
    {{- return(mapping.get('path') or mapping.get('column') or ('column ' ~ mapping.get('position'))) -}}
{%- endmacro %}

{#- Comma-separated SQL string literals of some values, quotes doubled. -#}
{% macro lake_sql_strings(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append("'" ~ value | string | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{- return(literals | join(', ')) -}}
{%- endmacro %}

{#- A header name as compared: lower case, without blanks, quotes or a byte-order mark. -#}
{% macro lake_header_key(name) -%}
    {%- set key = name | string | lower | replace(' ', '') | replace('\t', '') -%}
    {{- return(key | replace('"', '') | replace('\ufeff', '')) -}}
{%- endmacro %}


{#- ---- The base model -------------------------------------------------------------------------------- -#}

{% macro lake_mapped_base(source_name, table_name) -%}
    {%- set raw_model = ref('raw_' ~ source_name ~ '__' ~ table_name) -%}
    {%- set reference_targets = lake_reference_targets(source_name, table_name) -%}
    {% if not execute -%}
        {{ return('select 1 as parse_placeholder') }}
    {% endif -%}
    {%- set mapping = lake_mapping(source_name, table_name) -%}
    {%- set key = 'source_record_id' if mapping.entity == 'contact' else 'order_number' -%}
    {%- set key_attribute = (mapping.attributes | selectattr('name', 'equalto', 'source_record_id') | first) -%}
    {%- set key_label = lake_mapped_column_label(key_attribute) if key_attribute.mapping else none -%}
    {%- set key_value = lake_mapped_value(key_attribute) -%}
    {%- if key_attribute.mapping -%}
        {%- set key_occurrence_column = key_occurrence(key_value) -%}
        {%- set duplicate_message = 'duplicate_record: ' ~ key_label | replace("'", "''")
            ~ ' already seen in an earlier row' -%}
        {%- set duplicate_check -%}
            case
                when {{ key_value }} is not null and key_occurrence > 1
                    then '{{ duplicate_message }}'
            end
        {%- endset -%}
    {%- else -%}
        {%- set key_occurrence_column = '1' -%}
        {%- set duplicate_check = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
    {%- endif -%}
    {%- set typed_columns = [] -%}
    {%- set issue_columns = [] -%}
    {%- for attribute in mapping.attributes -%}
        {%- set value = lake_mapped_value(attribute) -%}
        {%- set typed = lake_mapped_typed(mapping, attribute, value) -%}
        {%- set issue = lake_mapped_issue(mapping, attribute, value, attribute.name ~ '__typed') -%}
        {%- do typed_columns.append(typed ~ ' as ' ~ attribute.name ~ '__typed') -%}
        {%- do issue_columns.append(issue ~ ' as ' ~ attribute.name ~ '__issue') -%}
    {%- endfor -%}
    {%- do typed_columns.append(key_occurrence_column ~ ' as key_occurrence') -%}
    {%- do issue_columns.append(duplicate_check ~ ' as check_duplicate') -%}
    {%- set source_label = mapping.name ~ ' (' ~ mapping.path ~ ')' -%}
    -- Every row of lake source {{ source_label }}, read through its mapping; entity {{ mapping.entity }}.
with

raw_rows as (
    select * from {{ raw_model }}
),

fields as (
    {{ lake_mapped_fields(mapping, 'raw_rows') | indent(4) }}
),

typed as (
    select
        fields.*,
        {{ typed_columns | join(',\n        ') }}
    from fields
),

checked as (
    select
        typed.*,
        {{ issue_columns | join(',\n        ') }}
    from typed
),

required_checked as (
    select
        checked.*,
        {{ lake_mapped_required_check(mapping) }} as check_required
    from checked
),

{{ lake_mapped_reference_checks(mapping, 'required_checked', reference_targets) }},

final as (
    select
        source_file,
        line_number,
        {{ row_key(key_value) }} as row_key,
        raw_record,
        {{ rejection_columns(['check_required', 'check_duplicate', 'check_references']) }},
        missing_columns,
        extra_attributes,
    {%- for attribute in mapping.attributes %}
        {%- if attribute.required or attribute.strict %}
        {{ attribute.name }}__typed as {{ attribute.name }},
        {%- else %}
        case when {{ attribute.name }}__issue is null then {{ attribute.name }}__typed end as {{ attribute.name }},
        {%- endif %}
        {{ lake_mapped_value(attribute) }} as {{ attribute.name }}__value,
        {{ attribute.name }}__issue{{ ',' if not loop.last }}
    {%- endfor %}
    from references_checked
)

select * from final
{%- endmacro %}

{#-
    'code: text' for the first required attribute (or key) that is empty or unusable. The key of a
    contact is required; a sales order needs ordered_at and an amount (extended_amount, or
    price_per_unit x quantity).
-#}
{% macro lake_mapped_required_check(mapping) -%}
    {%- set by_name = {} -%}
    {%- for attribute in mapping.attributes -%}
        {%- do by_name.update({attribute.name: attribute}) -%}
    {%- endfor -%}
    {%- set required = [] -%}
    {%- for attribute in mapping.attributes if attribute.required -%}
        {%- if attribute.name == 'extended_amount' and attribute.mapping is none -%}
            {%- do required.append(by_name['price_per_unit']) -%}
        {%- else -%}
            {%- do required.append(attribute) -%}
        {%- endif -%}
    {%- endfor -%}
    case
    {%- for attribute in required %}
        {%- set label = lake_mapped_column_label(attribute) if attribute.mapping else attribute.name %}
        {%- set code = 'missing_key' if attribute.name == 'source_record_id' else 'missing_value' %}
        when {{ lake_mapped_value(attribute) }} is null
            then '{{ (code ~ ': ' ~ label ~ ' is empty') | replace("'", "''") }}'
        when {{ attribute.name }}__issue is not null
            then {{ attribute.name }}__issue
    {%- endfor %}
    {%- for attribute in mapping.attributes if attribute.strict and attribute.mapping is not none %}
        when {{ attribute.name }}__issue is not null
            then {{ attribute.name }}__issue
    {%- endfor %}
    {{- lake_mapped_required_when_checks(mapping) }}
        when false then null
    end
{%- endmacro %}

{#-
    The records a value may name, by the `references` of an attribute: the staged model whose
    source_record_id it must match, the base model whose rows say the records were delivered, and the
    code of a row naming one that is not staged. 'contact' is the mapped contacts of the table's
    customer_system (none: not checked). Only the kinds the table's mapping references (its
    lake_mapped_tables() entry), each with its relations (model, base_model): call it at parse time, so
    dbt sees the dependencies.
-#}
{% macro lake_reference_targets(source_name, table_name) -%}
    {%- set targets = {
        'product': {'staged': 'stg_reference__products', 'base': 'base_reference__products',
                    'code': 'unknown_sku', 'label': 'a staged product'},
        'store': {'staged': 'stg_reference__stores', 'base': 'base_reference__stores',
                  'code': 'unknown_store', 'label': 'a staged store'},
        'currency': {'staged': 'stg_reference__fx_rates', 'base': 'base_reference__fx_rates',
                     'code': 'unknown_currency', 'label': 'a currency with a rate in reference fx_rates'},
        'offer': {'staged': 'stg_marketing__offers', 'base': 'base_marketing__offers',
                  'code': 'unknown_offer', 'label': 'a staged marketing offer'},
        'campaign': {'staged': 'stg_marketing__campaigns', 'base': 'base_marketing__campaigns',
                     'code': 'unknown_campaign', 'label': 'a staged campaign'},
    } -%}
    {%- set entry = lake_mapped_tables() | selectattr('source_system', 'equalto', source_name)
        | selectattr('table_name', 'equalto', table_name) | first -%}
    {%- for table in lake_mapped_tables()
        if table.entity == 'contact' and table.source_system == entry.customer_system -%}
        {%- do targets.update({'contact': {
            'staged': table.staged_model, 'base': table.base_model, 'code': 'unknown_customer',
            'label': 'a staged contact of ' ~ entry.customer_system}}) -%}
    {%- endfor -%}
    {%- set checked = {} -%}
    {%- for kind in entry.references if kind in targets -%}
        {%- do checked.update({kind: dict(targets[kind], model=ref(targets[kind].staged),
                                            base_model=ref(targets[kind].base))}) -%}
    {%- endfor -%}
    {{ return(checked) }}
{%- endmacro %}

{#-
    CTEs from `relation` to references_checked: check_references is 'code: text' for the first mapped
    value naming a record that is not staged, judged only when the records of that kind were delivered.
-#}
{% macro lake_mapped_reference_checks(mapping, relation, targets) -%}
    {%- set ctes = [] -%}
    {%- set checks = [] -%}
    {%- set joins = [] -%}
    {%- for attribute in mapping.attributes
        if attribute.references and attribute.mapping is not none and attribute.references in targets -%}
        {%- set target = targets[attribute.references] -%}
        {%- set alias = 'reference_' ~ loop.index -%}
        {%- set message = target.code ~ ': ' ~ lake_mapped_column_label(attribute) ~ ' is not ' ~ target.label -%}
        {%- do ctes.append(
            alias ~ ' as (\n    select distinct source_record_id as referenced_key from ' ~ target.model ~ '\n),\n\n'
            ~ alias ~ '_delivered as (\n    select count(*) > 0 as is_delivered from ' ~ target.base_model
            ~ '\n),\n\n'
        ) -%}
        {%- do checks.append(
            'when ' ~ attribute.name ~ '__typed is not null and ' ~ alias ~ '_delivered.is_delivered and '
            ~ alias ~ ".referenced_key is null\n                then '" ~ message | replace("'", "''") ~ "'"
        ) -%}
        {%- do joins.append(
            'cross join ' ~ alias ~ '_delivered\n    left join ' ~ alias ~ '\n        on ' ~ relation ~ '.'
            ~ attribute.name ~ '__typed = ' ~ alias ~ '.referenced_key'
        ) -%}
    {%- endfor -%}
    {%- do checks.append('when false then null') -%}
    {{ ctes | join('') }}references_checked as (
    select
        {{ relation }}.*,
        case
            {{ checks | join('\n            ') }}
        end as check_references
    from {{ relation }}
    {{ joins | join('\n    ') }}
)
{%- endmacro %}
