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
    {%- set attributes = lake_mapped_attributes(
        spec.name, lake.entity, entities[lake.entity], lake.get('columns') or {}, spec.format, lake.get('required') or []
    ) -%}
    {%- set lines = lake.get('lines') -%}
    {%- if lines -%}
        {%- set line_attributes = lake_mapped_attributes(
            spec.name, 'sales_order_line', entities.sales_order_line, lines.columns, 'jsonl', []
        ) -%}
        {%- set lines = {'path': lines.path, 'attributes': line_attributes} -%}
    {%- endif -%}
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
        order_table=lake.get('order_table'),
        lines_table=lake_mapped_lines_table(source_name, table_name),
        lines=lines,
    )) }}
{%- endmacro %}

{#-
    The attributes of an entity, each with its mapping (a dict, or none when unmapped) from the declared
    columns; `required` lists optional attributes the table requires. Errors name the table.
-#}
{% macro lake_mapped_attributes(name, entity, entity_attributes, declared, file_format, required) -%}
    {%- set attributes = [] -%}
    {%- for attribute in entity_attributes -%}
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
        {%- if mapping is not none and file_format == 'jsonl' and mapping.get('column') is not none -%}
            {%- set column = mapping.column -%}
            {%- set mapping = dict(mapping, path=(column if column.startswith('$') else '$.' ~ column)) -%}
        {%- endif -%}
        {%- do attributes.append(dict(attribute, mapping=mapping,
                                      required=attribute.required or attribute.name in required)) -%}
    {%- endfor -%}
    {%- for attribute_name in declared -%}
        {%- if attribute_name not in entity_attributes | map(attribute='name') | list -%}
            {{ exceptions.raise_compiler_error(
                "Lake source " ~ name ~ ": '" ~ attribute_name ~ "' is not an attribute of entity " ~ entity
                ~ " (see models/staging/_lake_mappings__docs.md)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(attributes) }}
{%- endmacro %}


{#- The sales_order_line table holding the lines of an order table (its order_table), or none. -#}
{% macro lake_mapped_lines_table(source_name, table_name) -%}
    {%- for table in lake_mapped_tables()
        if table.source_system == source_name and table.order_table == table_name -%}
        {{ return(table.table_name) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- Whether an attribute of the mapping is mapped. -#}
{% macro lake_mapped_is_mapped(mapping, name) -%}
    {{ return((mapping.attributes | selectattr('name', 'equalto', name) | first).mapping is not none) }}
{%- endmacro %}

{#-
    Whether a value of the attribute can be unusable: it is mapped and checked (a type other than text,
    accepted `values`, a `map` or `not_before`). Any other attribute's typed value is its text.
-#}
{% macro lake_mapped_is_checked(attribute) -%}
    {%- set mapping = attribute.mapping -%}
    {%- set rules = attribute.get('values') or attribute.get('not_before') -%}
    {{ return(true if mapping is not none and (attribute.type != 'text' or rules or mapping.get('map')) else false) }}
{%- endmacro %}

{#-
    The attributes of the mapping whose bad value is nulled and listed in attribute_issues: checked and
    neither required nor strict (a bad value of those quarantines the row). Only these keep
    <attribute>__value and <attribute>__issue in the base model.
-#}
{% macro lake_mapped_issue_attributes(mapping) -%}
    {%- set names = [] -%}
    {%- for attribute in mapping.attributes
        if not attribute.required and not attribute.strict and lake_mapped_is_checked(attribute) -%}
        {%- do names.append(attribute.name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#-
    The SQL columns of the given attributes of a mapping, as {typed, issue, output}: typed (<attribute>__typed,
    from <attribute>__value), issue (<attribute>__issue: 'code: text' or NULL), and the output columns of
    the model: <attribute> (NULL when it has an issue) and, for lake_mapped_issue_attributes,
    <attribute>__value (the text, kept only when it has an issue) and <attribute>__issue; plus
    line_item_number__text (part of an order line key "order|line").
-#}
{% macro lake_mapped_attribute_columns(mapping, attributes) -%}
    {%- set issue_attributes = lake_mapped_issue_attributes(mapping) -%}
    {%- set timed = lake_mapped_is_mapped(mapping, 'ordered_time')
        if 'ordered_time' in mapping.attributes | map(attribute='name') else false -%}
    {%- set columns = {'typed': [], 'issue': [], 'output': []} -%}
    {%- for attribute in attributes -%}
        {%- set name = attribute.name -%}
        {%- set value = lake_mapped_value(attribute) -%}
        {#- an unmapped attribute is NULL of its type -#}
        {%- set typed = value if attribute.type == 'text' and not (attribute.mapping or {}).get('map')
            else lake_mapped_typed(mapping, attribute, value) -%}
        {%- do columns.typed.append(typed ~ ' as ' ~ name ~ '__typed') -%}
        {%- if lake_mapped_is_checked(attribute) -%}
            {%- do columns.issue.append(
                lake_mapped_issue(mapping, attribute, value, name ~ '__typed') ~ ' as ' ~ name ~ '__issue') -%}
        {%- else -%}
            {%- do columns.issue.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ name ~ '__issue') -%}
        {%- endif -%}
        {%- if name == 'ordered_at' and timed -%}
            {%- do columns.output.append(
                dbt.dateadd('second', 'coalesce(ordered_time__typed, 0)', 'ordered_at__typed') ~ ' as ordered_at') -%}
        {%- elif name in issue_attributes -%}
            {%- do columns.output.append('case when ' ~ name ~ '__issue is null then ' ~ name ~ '__typed end as ' ~ name) -%}
            {%- do columns.output.append(
                'case when ' ~ name ~ '__issue is not null then ' ~ value ~ ' end as ' ~ name ~ '__value') -%}
            {%- do columns.output.append(name ~ '__issue') -%}
        {%- else -%}
            {%- do columns.output.append(name ~ '__typed as ' ~ name) -%}
        {%- endif -%}
        {%- if name == 'line_item_number' -%}
            {%- do columns.output.append(value ~ ' as line_item_number__text') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
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

{#-
    lookups: given (a list, maybe empty) for a table mapped with `incremental: true`, whose generated model
    is materialized incremental (macros/lake/lake_incremental.sql): then only new and changed files are
    parsed, a key already loaded from an earlier file counts as seen, and every row keeps its file's state.
-#}
{% macro lake_mapped_base(source_name, table_name, lookups=none) -%}
    {%- set raw_model = ref('raw_' ~ source_name ~ '__' ~ table_name) -%}
    {% if not execute -%}
        {{ return('select 1 as parse_placeholder') }}
    {% endif -%}
    {%- set incremental = lookups is not none -%}
    {#- incremental: a key loaded from an earlier file (not parsed again) counts as seen -#}
    {%- set loaded_key_seen = ' + case when loaded_keys.source_record_id is null then 0 else 1 end' -%}
    {%- set loaded_key_seen = loaded_key_seen if incremental else '' -%}
    {%- set plan = lake_files_to_parse(source_name, table_name, lookups) if incremental else none -%}
    {%- set reference_targets = lake_reference_targets(source_name, table_name) -%}
    {%- set mapping = lake_mapping(source_name, table_name) -%}
    {%- set key_attribute = (mapping.attributes | selectattr('name', 'equalto', 'source_record_id') | first) -%}
    {%- set line_key = lake_mapped_line_item_key(mapping) -%}
    {%- set order_attribute = mapping.attributes | selectattr('name', 'equalto', 'order_number') | list -%}
    {%- if line_key is not none -%}
        {%- set key_label, key_value = line_key -%}
    {%- elif (mapping.lines_table or mapping.lines) and order_attribute[0].mapping -%}
        {#- an order table whose lines are another table or nested in its rows: one row per order -#}
        {%- set key_label = lake_mapped_column_label(order_attribute[0]) -%}
        {%- set key_value = lake_mapped_value(order_attribute[0]) -%}
    {%- else -%}
        {%- set key_label = lake_mapped_column_label(key_attribute) if key_attribute.mapping else none -%}
        {%- set key_value = lake_mapped_value(key_attribute) -%}
    {%- endif -%}
    {%- if key_label is not none -%}
        {%- set key_occurrence_column = key_occurrence(key_value) ~ loaded_key_seen -%}
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
    {%- set columns = lake_mapped_attribute_columns(mapping, mapping.attributes) -%}
    {%- set typed_columns = columns.typed -%}
    {%- set issue_columns = columns.issue -%}
    {%- do typed_columns.append(key_occurrence_column ~ ' as key_occurrence') -%}
    {%- do issue_columns.append(duplicate_check ~ ' as check_duplicate') -%}
    {%- set source_label = mapping.name ~ ' (' ~ mapping.path ~ ')' -%}
    {%- set raw_rows = 'raw_rows as (\n    select * from ' ~ raw_model ~ '\n)' -%}
    {%- set loaded_keys_join = '' -%}
    {%- set final_rows = 'select * from mapped_rows' -%}
    {%- if incremental -%}
        {#- the lines of the files to parse (all of them outside an incremental run) and the loaded state -#}
        {%- set raw_rows = lake_incremental_ctes(source_name, table_name, 'source_record_id', plan, lookups)
            ~ ',\n\nraw_rows as (\n    select * from raw_lines\n)' -%}
        {%- set loaded_keys_join = '\n    left join loaded_keys\n        on ' ~ key_value
            ~ ' = loaded_keys.source_record_id' -%}
        {#- the file fingerprint and line count kept with the rows: the incremental state -#}
        {%- set final_rows = lake_incremental_state('mapped_rows') -%}
    {%- endif -%}
    -- Every row of lake source {{ source_label }}, read through its mapping; entity {{ mapping.entity }}.
with

{{ raw_rows }},

fields as (
    {{ lake_mapped_fields(mapping, 'raw_rows') | indent(4) }}
),

typed as (
    select
        fields.*,
        {{ typed_columns | join(',\n        ') }}
    from fields
    {{- loaded_keys_join }}
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

lines_checked as (
    {%- if mapping.lines %}
    {%- set path_label = mapping.lines.path | replace("'", "''") %}
    select
        references_checked.*,
        case
            when references_checked.lines_json_type is null or references_checked.lines_json_type <> 'array'
                then 'bad_value: {{ path_label }} is not an array'
            when coalesce(line_verdicts.line_count, 0) = 0 then 'bad_value: {{ path_label }} is empty'
            else line_verdicts.line_rejection_reason
        end as check_lines
    from references_checked
    left join (
        select
            source_file,
            line_number,
            count(*) as line_count,
            min(case when line_rejection_rank = 1 then line_rejection_reason end) as line_rejection_reason
        from (
            select
                nested_lines.*,
                case when line_rejection_reason is not null then row_number() over (
                    partition by source_file, line_number, line_rejection_reason is null
                    order by line_index
                ) end as line_rejection_rank
            from {{ ref('base_' ~ mapping.system ~ '__' ~ mapping.table ~ '_lines') }} as nested_lines
        ) as ranked_lines
        group by source_file, line_number
    ) as line_verdicts
        on
            references_checked.source_file = line_verdicts.source_file
            and references_checked.line_number = line_verdicts.line_number
    {%- else %}
    select
        references_checked.*,
        cast(null as {{ dbt.type_string() }}) as check_lines
    from references_checked
    {%- endif %}
),

mapped_rows as (
    select
        source_file,
        line_number,
        {{ row_key(key_value) }} as row_key,
        raw_record,
        {{ rejection_columns(['check_required', 'check_duplicate', 'check_references', 'check_lines']) }},
        missing_columns,
        extra_attributes,
        {{ columns.output | join(',\n        ') }}
    from lines_checked
),

final as (
    {{ final_rows | indent(4) }}
)

select * from final
{%- endmacro %}

{#-
    (label, SQL text) of the key of an order line given as order number and line item number
    ("order|line"), when the mapping has both and no source_record_id; else none.
-#}
{% macro lake_mapped_line_item_key(mapping) -%}
    {%- set by_name = {} -%}
    {%- for attribute in mapping.attributes -%}
        {%- do by_name.update({attribute.name: attribute}) -%}
    {%- endfor -%}
    {%- set order = by_name.get('order_number') -%}
    {%- set item = by_name.get('line_item_number') -%}
    {%- if by_name.source_record_id.mapping or not (order and order.mapping and item and item.mapping) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set label = lake_mapped_column_label(order) ~ ' + ' ~ lake_mapped_column_label(item) -%}
    {{ return((label, dbt.concat([lake_mapped_value(order), "'|'", lake_mapped_value(item)]))) }}
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
        {%- if attribute.name == 'extended_amount' and (mapping.lines_table or mapping.get('lines')) -%}
            {#- the amounts of an order whose lines are another table are on those lines -#}
        {%- elif attribute.name == 'extended_amount' and attribute.mapping is none -%}
            {%- do required.append(by_name['price_per_unit']) -%}
        {%- else -%}
            {%- do required.append(attribute) -%}
        {%- endif -%}
    {%- endfor -%}
    case
    {%- for attribute in required %}
        {%- set label = lake_mapped_column_label(attribute) if attribute.mapping else attribute.name %}
        {%- set code = 'missing_key' if attribute.name in ['source_record_id', 'order_number'] else 'missing_value' %}
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
    The records the mapped values of a table may name, by kind (the kinds its lake_mapped_tables() entry
    references; lake_reference_kinds(), generated from REFERENCE_TARGETS): the base model (base_model)
    whose staged rows (rejection_code NULL) hold the keys a value must match (key, default
    source_record_id) and whose rows say the records were delivered, and the code of a row naming one
    that is not staged. Reading the base model, not its staging view, lets the check run as early as
    the records are parsed. 'contact' is the mapped contacts of the table's customer_system (no such
    table: not checked). The generated base model declares these models with `-- depends_on:`, so the
    refs resolve at run time.
-#}
{% macro lake_reference_targets(source_name, table_name) -%}
    {%- set kinds = lake_reference_kinds() -%}
    {%- set tables = lake_mapped_tables() -%}
    {%- set entry = tables | selectattr('source_system', 'equalto', source_name)
        | selectattr('table_name', 'equalto', table_name) | first -%}
    {%- set targets = {} -%}
    {%- for kind in entry.references -%}
        {%- set contacts = tables | selectattr('entity', 'equalto', 'contact')
            | selectattr('source_system', 'equalto', entry.customer_system) | list -%}
        {%- set headers = 'base_' ~ source_name ~ '__' ~ entry.order_table -%}
        {%- if kind == 'order' and entry.order_table -%}
            {%- do targets.update({kind: {
                'staged': headers, 'base': headers, 'code': 'parent_order_rejected', 'key': 'order_number',
                'always': true,
                'label': 'an order staged from ' ~ source_name ~ '.' ~ entry.order_table ~ ' (absent or quarantined)'}}) -%}
        {%- elif kind == 'contact' and contacts -%}
            {%- do targets.update({kind: {
                'staged': contacts[0].staged_model, 'base': contacts[0].base_model, 'code': 'unknown_customer',
                'label': 'a staged contact of ' ~ entry.customer_system}}) -%}
        {%- elif kind in kinds -%}
            {%- do targets.update({kind: kinds[kind]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set checked = {} -%}
    {%- for kind, target in targets.items() -%}
        {%- do checked.update({kind: dict(target, base_model=ref(target.base))}) -%}
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
            alias ~ ' as (\n    select distinct ' ~ target.get('key', 'source_record_id') ~ ' as referenced_key from '
            ~ target.base_model ~ ' where rejection_code is null\n),\n\n'
            ~ alias ~ '_delivered as (\n    select count(*) > 0 as is_delivered from ' ~ target.base_model
            ~ '\n),\n\n'
        ) -%}
        {%- set delivered = 'true' if target.get('always') else alias ~ '_delivered.is_delivered' -%}
        {%- do checks.append(
            'when ' ~ attribute.name ~ '__typed is not null and ' ~ delivered ~ ' and '
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


{#-
    The columns attribute_issues reads, as {table, attribute}: per mapped table each attribute that can
    have an issue (lake_mapped_issue_attributes; the lines nested in an order's row have none: their
    attributes are all required or strict). At parse time (and in the SQL lint), every attribute of the
    entity.
-#}
{% macro lake_attribute_issue_columns(mapped_tables) -%}
    {%- set issue_columns = [] -%}
    {%- for lake_table in mapped_tables -%}
        {%- set attributes = lake_mapped_issue_attributes(lake_mapping(lake_table.source_system, lake_table.table_name))
            if execute else lake_entity_attributes()[lake_table.entity] | map(attribute='name') -%}
        {%- for attribute in attributes -%}
            {%- do issue_columns.append({'table': lake_table, 'attribute': attribute}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(issue_columns) }}
{%- endmacro %}
