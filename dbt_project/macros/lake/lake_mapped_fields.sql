{#- Mapped lake sources: reading each row's mapped fields per format (see lake_mapped.sql). -#}


{#- ---- Reading the fields of each row, per format ------------------------------------------------- -#}

{#-
    SELECT of one row per data line with source_file, line_number, raw_record, structure_rejection,
    missing_columns, extra_attributes and <attribute>__value (trimmed text, NULL when empty or a null
    value) for every attribute mapped to a column.
-#}
{% macro lake_mapped_fields(mapping, relation) -%}
    {%- if mapping.format == 'csv' -%}
        {{ return(lake_mapped_csv_fields(mapping, relation)) }}
    {%- elif mapping.format == 'jsonl' -%}
        {{ return(lake_mapped_json_fields(mapping, relation)) }}
    {%- else -%}
        {{ return(lake_mapped_parquet_fields(mapping, relation)) }}
    {%- endif -%}
{%- endmacro %}

{#- Empty string and the table's null_values -> NULL, after trimming. -#}
{% macro lake_mapped_clean(mapping, expression) -%}
    {%- if mapping.null_values -%}
        case
            when trim({{ expression }}) in ('{{ mapping.null_values | join("', '") | replace("'", "''") }}') then null
            else {{ clean_text(expression) }}
        end
    {%- else -%}
        {{ clean_text(expression) }}
    {%- endif -%}
{%- endmacro %}

{#- CSV: fields found by header name in each file (or by position without header). -#}
{% macro lake_mapped_csv_fields(mapping, relation) -%}
    {%- set read = lake_mapped_from_file(mapping) -%}
    {%- set mapped_keys = [] -%}
    {%- for attribute in read -%}
        {%- if mapping.header -%}
            {%- do mapped_keys.append(lake_header_key(attribute.mapping.column)) -%}
        {%- endif -%}
    {%- endfor -%}
    select
        csv_rows.source_file,
        csv_rows.line_number,
        csv_rows.raw_record,
        {% for attribute in read %}
            {%- if mapping.header %}
                {%- set position = lake_list_position('csv_rows.header_keys', "'" ~ lake_header_key(attribute.mapping.column) ~ "'") %}
            {%- else %}
                {%- set position = attribute.mapping.position %}
            {%- endif %}
            {{ lake_mapped_clean(mapping, lake_list_element('csv_rows.csv_values', position)) }}
                as {{ attribute.name }}__value,
        {% endfor %}
        {% if mapping.header %}
            {{ lake_mapped_missing_columns(mapping, read, 'csv_rows.header_keys') }} as missing_columns,
            {{ lake_unmapped_fields_json('csv_rows.header_names', 'csv_rows.header_keys', 'csv_rows.csv_values', mapped_keys) }}
                as extra_attributes,
        {% else %}
            cast(null as {{ dbt.type_string() }}) as missing_columns,
            cast(null as {{ dbt.type_string() }}) as extra_attributes,
        {% endif %}
        case
            when {{ clean_text('csv_rows.raw_record') }} is null then 'blank_line: the line is empty'
            {% if mapping.header %}
                when csv_rows.header_keys is null then 'missing_header: the file has no header line'
                {% for attribute in read if attribute.required %}
                    when {{ lake_list_position('csv_rows.header_keys', "'" ~ lake_header_key(attribute.mapping.column) ~ "'") }} is null
                        then {{ dbt.concat([
                            "'missing_column: '", 'csv_rows.source_file',
                            "' has no column " ~ attribute.mapping.column | replace("'", "''") ~ " (mapping "
                            ~ mapping.name ~ "." ~ attribute.name ~ ")'",
                        ]) }}
                {% endfor %}
                when {{ csv_field_count('csv_rows.csv_values') }} <> {{ csv_field_count('csv_rows.header_keys') }}
                    then 'wrong_field_count: the line does not have as many fields as the header'
            {% endif %}
        end as structure_rejection
    from (
        select
            csv_lines.*,
            file_headers.header_names,
            file_headers.header_keys
        from (
            select
                source_file,
                line_number,
                raw_record,
                {{ csv_fields('raw_record', mapping.delimiter, mapping.quote) }} as csv_values
            from {{ relation }}
        ) as csv_lines
        left join (
            select
                source_file,
                {{ lake_trimmed_list(csv_fields('raw_record', mapping.delimiter, mapping.quote)) }} as header_names,
                {{ lake_header_keys(csv_fields('raw_record', mapping.delimiter, mapping.quote)) }} as header_keys
            from {{ relation }}
            where line_number = 1 and {{ clean_text('raw_record') }} is not null
        ) as file_headers
            on csv_lines.source_file = file_headers.source_file
        {% if mapping.header %}
            where csv_lines.line_number > 1
        {% endif %}
    ) as csv_rows
{%- endmacro %}

{#- JSON lines: fields by JSON path; unmapped top-level keys are the extra attributes. -#}
{% macro lake_mapped_json_fields(mapping, relation) -%}
    {%- set read = lake_mapped_from_file(mapping) -%}
    {%- set mapped_top_keys = [] -%}
    {%- for attribute in read -%}
        {%- do mapped_top_keys.append(attribute.mapping.path[2:].split('.')[0].split('[')[0] | replace('"', '')) -%}
    {%- endfor -%}
    select
        json_rows.source_file,
        json_rows.line_number,
        json_rows.raw_record,
        {% for attribute in read %}
            {{ lake_mapped_clean(mapping, json_text('json_rows.json_record', attribute.mapping.path)) }}
                as {{ attribute.name }}__value,
        {% endfor %}
        cast(null as {{ dbt.type_string() }}) as missing_columns,
        {{ lake_json_without_keys('json_rows.json_record', mapped_top_keys) }} as extra_attributes,
        json_rows.structure_rejection
    from ({{ parse_json_lines(relation) }}) as json_rows
{%- endmacro %}

{#- Parquet: columns by name (case-insensitive; the reader returns every column of the files). -#}
{% macro lake_mapped_parquet_fields(mapping, relation) -%}
    {%- set read = lake_mapped_from_file(mapping) -%}
    {%- set file_columns = lake_parquet_columns(lake_source_path(mapping)) if execute else none -%}
    {%- set by_key = {} -%}
    {%- for name in (file_columns or []) -%}
        {%- do by_key.update({lake_header_key(name): name}) -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- set mapped_keys = [] -%}
    select
        parquet_rows.source_file,
        parquet_rows.line_number,
        parquet_rows.raw_record,
        {% for attribute in read %}
            {%- set key = lake_header_key(attribute.mapping.column) %}
            {%- do mapped_keys.append(key) %}
            {%- if file_columns is none or key in by_key %}
                {{ lake_mapped_clean(mapping, dbt.cast(
                    'parquet_rows.' ~ adapter.quote(by_key.get(key, attribute.mapping.column)), dbt.type_string()
                )) }} as {{ attribute.name }}__value,
            {%- else %}
                {%- do missing.append(attribute) %}
                cast(null as {{ dbt.type_string() }}) as {{ attribute.name }}__value,
            {%- endif %}
        {% endfor %}
        {% if missing %}
            '{{ missing | map(attribute='mapping') | map(attribute='column') | join(', ') | replace("'", "''") }}'
        {% else %}
            cast(null as {{ dbt.type_string() }})
        {% endif %} as missing_columns,
        {%- set extra_columns = [] %}
        {%- for name in (file_columns or []) if lake_header_key(name) not in mapped_keys %}
            {%- do extra_columns.append(name) %}
        {%- endfor %}
        {{ lake_columns_json('parquet_rows', extra_columns) }} as extra_attributes,
        case
            {% for attribute in missing if attribute.required %}
                when true then {{ dbt.concat([
                    "'missing_column: '", 'parquet_rows.source_file',
                    "' has no column " ~ attribute.mapping.column | replace("'", "''") ~ " (mapping "
                    ~ mapping.name ~ "." ~ attribute.name ~ ")'",
                ]) }}
            {% endfor %}
            when false then null
        end as structure_rejection
    from {{ relation }} as parquet_rows
{%- endmacro %}

{#- Text listing the mapped columns a file's header lacks (NULL when it has them all). -#}
{% macro lake_mapped_missing_columns(mapping, read, header_keys) -%}
    nullif(concat_ws(
        ', ',
        {% for attribute in read %}
            case
                when {{ lake_list_position(header_keys, "'" ~ lake_header_key(attribute.mapping.column) ~ "'") }} is null
                    then '{{ attribute.mapping.column | replace("'", "''") }}'
            end{{ ',' if not loop.last }}
        {% endfor %}
        {% if not read %}cast(null as {{ dbt.type_string() }}){% endif %}
    ), '')
{%- endmacro %}


{#- ---- Engine-specific list and JSON helpers (adapter-dispatched) ----------------------------------- -#}

{#- 1-based position of a value in a list, NULL when absent. -#}
{% macro lake_list_position(list, value) -%}
    {{ return(adapter.dispatch('lake_list_position', 'c360')(list, value)) }}
{%- endmacro %}

{% macro default__lake_list_position(list, value) -%}
    nullif(array_position({{ list }}, {{ value }}), 0)
{%- endmacro %}

{% macro duckdb__lake_list_position(list, value) -%}
    list_position({{ list }}, {{ value }})
{%- endmacro %}

{#- The element at a 1-based position (an expression), NULL when the position is NULL or past the end. -#}
{% macro lake_list_element(list, position) -%}
    {{ return(adapter.dispatch('lake_list_element', 'c360')(list, position)) }}
{%- endmacro %}

{% macro default__lake_list_element(list, position) -%}
    case when {{ position }} between 1 and size({{ list }}) then element_at({{ list }}, {{ position }}) end
{%- endmacro %}

{% macro duckdb__lake_list_element(list, position) -%}
    {{ list }}[{{ position }}]
{%- endmacro %}

{#- Each element trimmed, and as a header key (lake_header_key in SQL). -#}
{% macro lake_trimmed_list(list) -%}
    {{ return(adapter.dispatch('lake_trimmed_list', 'c360')(list)) }}
{%- endmacro %}

{% macro default__lake_trimmed_list(list) -%}
    transform({{ list }}, header_name -> trim(header_name))
{%- endmacro %}

{% macro duckdb__lake_trimmed_list(list) -%}
    list_transform({{ list }}, lambda header_name: trim(header_name))
{%- endmacro %}

{% macro lake_header_keys(list) -%}
    {{ return(adapter.dispatch('lake_header_keys', 'c360')(list)) }}
{%- endmacro %}

{% macro default__lake_header_keys(list) -%}
    transform({{ list }}, header_name -> lower(regexp_replace(header_name, '[ "\t\ufeff]', '')))
{%- endmacro %}

{% macro duckdb__lake_header_keys(list) -%}
    list_transform(
        {{ list }},
        lambda header_name: lower(regexp_replace(header_name, '[ "' || chr(9) || chr(65279) || ']', '', 'g'))
    )
{%- endmacro %}

{#- JSON text of {header name: value} for the fields whose header key is not mapped; NULL when none. -#}
{% macro lake_unmapped_fields_json(names, keys, values, mapped_keys) -%}
    {{ return(adapter.dispatch('lake_unmapped_fields_json', 'c360')(names, keys, values, mapped_keys)) }}
{%- endmacro %}

{% macro default__lake_unmapped_fields_json(names, keys, values, mapped_keys) -%}
    to_json(map_from_arrays(
        filter({{ names }}, (header_name, position) -> not array_contains(
            array('{{ mapped_keys | join("', '") }}'), element_at({{ keys }}, position + 1)
        )),
        filter({{ values }}, (field_value, position) -> not array_contains(
            array('{{ mapped_keys | join("', '") }}'), element_at({{ keys }}, position + 1)
        ))
    ))
{%- endmacro %}

{% macro duckdb__lake_unmapped_fields_json(names, keys, values, mapped_keys) -%}
    nullif(cast(to_json(map_from_entries(list_filter(
        list_zip({{ names }}, {{ keys }}, {{ values }}),
        lambda header_field: header_field[3] is not null
            and not list_contains([{% for key in mapped_keys %}'{{ key | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %}]::varchar[], header_field[2])
    ).list_transform(lambda header_field: {'key': header_field[1], 'value': header_field[3]}))) as varchar), '{}')
{%- endmacro %}

{#- JSON text of an object without some top-level keys; NULL when nothing is left. -#}
{% macro lake_json_without_keys(json_record, keys) -%}
    {{ return(adapter.dispatch('lake_json_without_keys', 'c360')(json_record, keys)) }}
{%- endmacro %}

{% macro default__lake_json_without_keys(json_record, keys) -%}
    {#- Spark has no JSON patch: keep the whole record. -#}
    {{ json_record }}
{%- endmacro %}

{% macro duckdb__lake_json_without_keys(json_record, keys) -%}
    {%- set patch = {} -%}
    {%- for key in keys -%}
        {%- do patch.update({key: none}) -%}
    {%- endfor -%}
    nullif(cast(json_merge_patch({{ json_record }}, '{{ tojson(patch) | replace("'", "''") }}') as varchar), '{}')
{%- endmacro %}

{#- JSON text of some columns of a relation alias, NULL when there are none. -#}
{% macro lake_columns_json(alias, columns) -%}
    {%- if not columns -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ return(adapter.dispatch('lake_columns_json', 'c360')(alias, columns)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__lake_columns_json(alias, columns) -%}
    to_json(named_struct({% for column in columns %}'{{ column }}', {{ alias }}.`{{ column }}`{{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}

{% macro duckdb__lake_columns_json(alias, columns) -%}
    cast(to_json(struct_pack({% for column in columns %}{{ adapter.quote(column) }} := {{ alias }}.{{ adapter.quote(column) }}{{ ', ' if not loop.last }}{% endfor %})) as varchar)
{%- endmacro %}

{#- The columns of the Parquet files of a glob (union by name); none when the adapter cannot tell. -#}
{% macro lake_parquet_columns(path) -%}
    {{ return(adapter.dispatch('lake_parquet_columns', 'c360')(path)) }}
{%- endmacro %}

{% macro default__lake_parquet_columns(path) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__lake_parquet_columns(path) -%}
    {%- if lake_file_count(path) == 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set described = run_query(
        "describe select * from read_parquet(" ~ duckdb_lake_path(path) ~ ", union_by_name = true)"
    ) -%}
    {{ return(described.columns[0].values() | list) }}
{%- endmacro %}


