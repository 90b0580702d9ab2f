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
            when trim({{ expression }}) in ({{ lake_sql_strings(mapping.null_values) }}) then null
            else {{ clean_text(expression) }}
        end
    {%- else -%}
        {{ clean_text(expression) }}
    {%- endif -%}
{%- endmacro %}

{#-
    CSV: fields found by header name in each file (or by position without header). The header of each file
    is split once: per file, the position of every mapped column, the mapped columns missing (all, and
    the required ones as a rejection reason) and the positions of the unmapped columns; each row then
    only indexes its fields.
-#}
{% macro lake_mapped_csv_fields(mapping, relation) -%}
    {%- set read = lake_mapped_from_file(mapping) -%}
    {%- set csv_values = csv_fields('raw_record', mapping.delimiter, mapping.quote) -%}
    {%- set mapped_keys = [] -%}
    {%- set columns = [] -%}
    {%- set positions = [] -%}
    {%- for attribute in read -%}
        {%- if mapping.header -%}
            {%- set key = lake_sql_strings([lake_header_key(attribute.mapping.column)]) -%}
            {%- do mapped_keys.append(key) -%}
            {%- do positions.append(
                lake_list_position('header_keys', key) ~ ' as ' ~ attribute.name ~ '__position'
            ) -%}
            {%- set position = 'csv_rows.' ~ attribute.name ~ '__position' -%}
        {%- else -%}
            {%- set position = attribute.mapping.position -%}
        {%- endif -%}
        {%- set value = lake_mapped_clean(mapping, lake_list_element('csv_rows.csv_values', position)) -%}
        {%- do columns.append(value ~ ' as ' ~ attribute.name ~ '__value') -%}
    {%- endfor -%}
    {%- if mapping.header -%}
        {%- do columns.append('csv_rows.missing_columns') -%}
        {%- set extra = lake_fields_json('csv_rows.header_names', 'csv_rows.csv_values', 'csv_rows.extra_positions') -%}
        {%- do columns.append(
            'case when ' ~ csv_field_count('csv_rows.extra_positions') ~ ' > 0 then ' ~ extra
            ~ ' end as extra_attributes'
        ) -%}
        {%- do positions.append(lake_mapped_missing_columns(mapping, read, 'header_keys') ~ ' as missing_columns') -%}
        {%- do positions.append(
            lake_mapped_missing_required(mapping, read, 'header_keys', 'source_file') ~ ' as missing_required'
        ) -%}
        {%- do positions.append(lake_unmapped_positions('header_keys', mapped_keys) ~ ' as extra_positions') -%}
        {%- set header_checks = [
            "when csv_rows.header_keys is null then 'missing_header: the file has no header line'",
            'when csv_rows.missing_required is not null then csv_rows.missing_required',
            'when ' ~ csv_field_count('csv_rows.csv_values') ~ ' <> ' ~ csv_field_count('csv_rows.header_keys')
            ~ " then 'wrong_field_count: the line does not have as many fields as the header'",
        ] -%}
        {%- set data_lines = 'line_number > 1' -%}
    {%- else -%}
        {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as missing_columns') -%}
        {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as extra_attributes') -%}
        {%- set header_checks = [] -%}
        {%- set data_lines = 'line_number >= 1' -%}
    {%- endif -%}
    select
        csv_rows.source_file,
        csv_rows.line_number,
        csv_rows.raw_record,
        {{ columns | join(',\n        ') }},
        case
            when {{ clean_text('csv_rows.raw_record') }} is null then 'blank_line: the line is empty'
            {{ header_checks | join('\n            ') }}
        end as structure_rejection
    from (
        select
            csv_lines.*,
            file_headers.*
        from (
            select
                source_file,
                line_number,
                raw_record,
                {{ csv_values }} as csv_values
            from {{ relation }}
            where {{ data_lines }}
        ) as csv_lines
        left join (
            select
                {{ (['source_file as header_file', 'header_names', 'header_keys'] + positions) | join(',\n                ') }}
            from (
                select
                    source_file,
                    {{ lake_trimmed_list(csv_values) }} as header_names,
                    {{ lake_header_keys(csv_values) }} as header_keys
                from {{ relation }}
                where line_number = 1 and {{ clean_text('raw_record') }} is not null
            ) as header_lines
        ) as file_headers
            on csv_lines.source_file = file_headers.header_file
    ) as csv_rows
{%- endmacro %}

{#- Text naming the first required mapped column a file's header lacks, as a rejection reason (or NULL). -#}
{% macro lake_mapped_missing_required(mapping, read, header_keys, source_file) -%}
    {%- set checks = [] -%}
    {%- for attribute in read if attribute.required -%}
        {%- set key = lake_sql_strings([lake_header_key(attribute.mapping.column)]) -%}
        {%- do checks.append(
            'when ' ~ lake_list_position(header_keys, key) ~ ' is null then '
            ~ lake_mapped_missing_column(mapping, attribute, source_file)
        ) -%}
    {%- endfor -%}
    {%- if checks -%}
        case {{ checks | join(' ') }} end
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- The rejection reason (an SQL expression) of a row whose file lacks a required mapped column. -#}
{% macro lake_mapped_missing_column(mapping, attribute, source_file) -%}
    {{ dbt.concat([
        "'missing_column: '", source_file,
        "' has no column " ~ attribute.mapping.column | replace("'", "''") ~ " (mapping "
        ~ mapping.name ~ "." ~ attribute.name ~ ")'",
    ]) }}
{%- endmacro %}

{#-
    The value texts of the given mapped attributes (each with a JSON path) of the JSON text in column
    `json_column` of relation `alias`: (a column `json_texts` to add to that relation, written over the bare
    column name, or '' when the engine reads each path on its own (json_texts); the <attribute>__value column
    of each, cleaned).
-#}
{% macro lake_mapped_json_values(mapping, attributes, alias, json_column) -%}
    {%- set paths = attributes | map(attribute='mapping') | map(attribute='path') | list -%}
    {%- set texts = (json_texts(json_column, paths) | trim) if paths else '' -%}
    {%- set columns = [] -%}
    {%- for attribute in attributes -%}
        {%- if texts -%}
            {%- set text = lake_list_element(alias ~ '.json_texts', loop.index) -%}
        {%- else -%}
            {%- set text = json_text(alias ~ '.' ~ json_column, attribute.mapping.path) -%}
        {%- endif -%}
        {%- do columns.append(lake_mapped_clean(mapping, text) ~ ' as ' ~ attribute.name ~ '__value') -%}
    {%- endfor -%}
    {{ return((texts ~ ' as json_texts' if texts else '', columns)) }}
{%- endmacro %}

{#- JSON lines: fields by JSON path; unmapped top-level keys are the extra attributes. -#}
{% macro lake_mapped_json_fields(mapping, relation) -%}
    {%- set read = lake_mapped_from_file(mapping) -%}
    {%- set mapped_top_keys = [] -%}
    {%- for attribute in read -%}
        {%- set top_key = attribute.mapping.path[2:].split('.')[0].split('[')[0] | replace('"', '') -%}
        {%- do mapped_top_keys.append(top_key) -%}
    {%- endfor -%}
    {%- set texts_column, columns = lake_mapped_json_values(mapping, read, 'json_rows', 'json_record') -%}
    {%- if mapping.lines -%}
        {#- the array of nested order lines: its type is checked, its elements are read by lake_mapped_nested_lines -#}
        {%- do mapped_top_keys.append(mapping.lines.path[2:].split('.')[0].split('[')[0] | replace('"', '')) -%}
        {%- do columns.append(json_type_at('json_rows.json_record', mapping.lines.path) ~ ' as lines_json_type') -%}
    {%- endif -%}
    {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as missing_columns') -%}
    {%- do columns.append(lake_json_without_keys('json_rows.json_record', mapped_top_keys) ~ ' as extra_attributes') -%}
    select
        json_rows.source_file,
        json_rows.line_number,
        json_rows.raw_record,
        {{ columns | join(',\n        ') }},
        json_rows.structure_rejection
    {%- if texts_column %}
    from (
        select
            parsed_rows.*,
            {{ texts_column }}
        from ({{ parse_json_lines(relation) }}) as parsed_rows
    ) as json_rows
    {%- else %}
    from ({{ parse_json_lines(relation) }}) as json_rows
    {%- endif %}
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
    {%- set columns = [] -%}
    {%- for attribute in read -%}
        {%- set key = lake_header_key(attribute.mapping.column) -%}
        {%- do mapped_keys.append(key) -%}
        {%- if file_columns is none or key in by_key -%}
            {%- set column = 'parquet_rows.' ~ adapter.quote(by_key.get(key, attribute.mapping.column)) -%}
            {%- set value = lake_mapped_clean(mapping, dbt.cast(column, dbt.type_string())) -%}
        {%- else -%}
            {%- do missing.append(attribute) -%}
            {%- set value = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
        {%- endif -%}
        {%- do columns.append(value ~ ' as ' ~ attribute.name ~ '__value') -%}
    {%- endfor -%}
    {#- a mapped column that some files have and others lack (schema drift): per file, by name -#}
    {%- set schemas = lake_parquet_schemas(lake_source_path(mapping)) if execute and file_columns else [] -%}
    {%- set lacking = {} -%}
    {%- for attribute in read if lake_header_key(attribute.mapping.column) in by_key -%}
        {%- set files = [] -%}
        {%- for keys, schema_files in schemas if lake_header_key(attribute.mapping.column) not in keys -%}
            {%- do files.extend(schema_files) -%}
        {%- endfor -%}
        {%- if files -%}
            {%- do lacking.update({attribute.name: files}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing_parts = [] -%}
    {%- if missing -%}
        {%- set missing_names = missing | map(attribute='mapping') | map(attribute='column') | join(', ') -%}
        {%- do missing_parts.append("'" ~ missing_names | replace("'", "''") ~ "'") -%}
    {%- endif -%}
    {%- for attribute in read if attribute.name in lacking -%}
        {%- do missing_parts.append(
            'case when parquet_rows.source_file in (' ~ lake_sql_strings(lacking[attribute.name]) ~ ") then '"
            ~ attribute.mapping.column | replace("'", "''") ~ "' end"
        ) -%}
    {%- endfor -%}
    {%- if missing_parts -%}
        {%- do columns.append(
            "nullif(concat_ws(', ', " ~ missing_parts | join(', ') ~ "), '') as missing_columns"
        ) -%}
    {%- else -%}
        {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as missing_columns') -%}
    {%- endif -%}
    {%- set extra_columns = [] -%}
    {%- for name in (file_columns or []) if lake_header_key(name) not in mapped_keys -%}
        {%- do extra_columns.append(name) -%}
    {%- endfor -%}
    {%- do columns.append(lake_columns_json('parquet_rows', extra_columns) ~ ' as extra_attributes') -%}
    {%- set missing_checks = [] -%}
    {%- for attribute in missing if attribute.required -%}
        {%- do missing_checks.append(
            'when true then ' ~ lake_mapped_missing_column(mapping, attribute, 'parquet_rows.source_file')
        ) -%}
    {%- endfor -%}
    {%- for attribute in read if attribute.required and attribute.name in lacking -%}
        {%- do missing_checks.append(
            'when parquet_rows.source_file in (' ~ lake_sql_strings(lacking[attribute.name]) ~ ') then '
            ~ lake_mapped_missing_column(mapping, attribute, 'parquet_rows.source_file')
        ) -%}
    {%- endfor -%}
    select
        parquet_rows.source_file,
        parquet_rows.line_number,
        parquet_rows.raw_record,
        {{ columns | join(',\n        ') }},
        case
            {{ missing_checks | join('\n            ') }}
            when false then null
        end as structure_rejection
    from {{ relation }} as parquet_rows
{%- endmacro %}

{#- Text listing the mapped columns a file's header lacks (NULL when it has them all). -#}
{% macro lake_mapped_missing_columns(mapping, read, header_keys) -%}
    {%- set checks = [] -%}
    {%- for attribute in read -%}
        {%- set key = lake_sql_strings([lake_header_key(attribute.mapping.column)]) -%}
        {%- set position = lake_list_position(header_keys, key) -%}
        {%- set column = attribute.mapping.column | replace("'", "''") -%}
        {%- do checks.append('case when ' ~ position ~ " is null then '" ~ column ~ "' end") -%}
    {%- endfor -%}
    {%- if not read -%}
        {%- do checks.append('cast(null as ' ~ dbt.type_string() ~ ')') -%}
    {%- endif -%}
    nullif(concat_ws(
        ', ',
        {{ checks | join(',\n        ') }}
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
    {%- set fields = [] -%}
    {%- for column in columns -%}
        {%- do fields.append("'" ~ column ~ "', " ~ alias ~ ".`" ~ column ~ "`") -%}
    {%- endfor -%}
    to_json(named_struct({{ fields | join(', ') }}))
{%- endmacro %}

{% macro duckdb__lake_columns_json(alias, columns) -%}
    {%- set fields = [] -%}
    {%- for column in columns -%}
        {%- do fields.append(adapter.quote(column) ~ ' := ' ~ alias ~ '.' ~ adapter.quote(column)) -%}
    {%- endfor -%}
    cast(to_json(struct_pack({{ fields | join(', ') }})) as varchar)
{%- endmacro %}

{#- The columns of the Parquet files of a glob (union by name); none when the adapter cannot tell. -#}
{% macro lake_parquet_columns(path) -%}
    {{ return(adapter.dispatch('lake_parquet_columns', 'c360')(path)) }}
{%- endmacro %}

{% macro default__lake_parquet_columns(path) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__lake_parquet_columns(path) -%}
    {%- set path = lake_readable_paths(path, 'parquet', '') -%}
    {%- if path is string and lake_file_count(path) == 0 or path is not string and not path -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set described = run_query(
        "describe select * from read_parquet(" ~ duckdb_lake_path(path) ~ ", union_by_name = true)"
    ) -%}
    {{ return(described.columns[0].values() | list) }}
{%- endmacro %}


{#-
    The column keys (lake_header_key) of the Parquet files of a lake path, grouped by schema: a list of
    [keys, files under the lake root], one entry per distinct set of columns (one when the files agree);
    [] where the engine cannot list them (then files are assumed to share one schema).
-#}
{% macro lake_parquet_schemas(path) -%}
    {{ return(adapter.dispatch('lake_parquet_schemas', 'c360')(path)) }}
{%- endmacro %}

{% macro default__lake_parquet_schemas(path) -%}
    {{ return([]) }}
{%- endmacro %}

{% macro duckdb__lake_parquet_schemas(path) -%}
    {%- set path = lake_readable_paths(path, 'parquet', '') -%}
    {%- if path is string and lake_file_count(path) == 0 or path is not string and not path -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    {%- set key = "lower(replace(replace(replace(replace(name, ' ', ''), chr(9), ''), '\"', ''), chr(65279), ''))" -%}
    {%- set listed = run_query(
        "select column_keys, string_agg(substr(file_name, " ~ root_length ~ "), chr(31) order by file_name) "
        ~ "from (select file_name, string_agg(" ~ key ~ ", chr(31) order by name) as column_keys "
        ~ "from parquet_schema(" ~ duckdb_lake_path(path) ~ ") where type is not null group by file_name) "
        ~ "group by column_keys"
    ) -%}
    {%- set schemas = [] -%}
    {%- for row in listed.rows -%}
        {%- do schemas.append([row[0].split('\x1f'), row[1].split('\x1f')]) -%}
    {%- endfor -%}
    {{ return(schemas) }}
{%- endmacro %}


{#- The 1-based positions of a header's keys that no mapped key takes (the extra attributes' columns). -#}
{% macro lake_unmapped_positions(keys, mapped_keys) -%}
    {{ return(adapter.dispatch('lake_unmapped_positions', 'c360')(keys, mapped_keys)) }}
{%- endmacro %}

{% macro default__lake_unmapped_positions(keys, mapped_keys) -%}
    filter(
        sequence(1, size({{ keys }})),
        header_position -> not array_contains(
            array({{ mapped_keys | join(', ') }}), element_at({{ keys }}, header_position)
        )
    )
{%- endmacro %}

{% macro duckdb__lake_unmapped_positions(keys, mapped_keys) -%}
    list_filter(
        range(1, len({{ keys }}) + 1),
        lambda header_position: not list_contains(
            [{{ mapped_keys | join(', ') }}]::varchar [], {{ keys }}[header_position]
        )
    )
{%- endmacro %}

{#- JSON text of {name: value} for the fields at some positions whose value is not empty; NULL when none. -#}
{% macro lake_fields_json(names, values, positions) -%}
    {{ return(adapter.dispatch('lake_fields_json', 'c360')(names, values, positions)) }}
{%- endmacro %}

{% macro default__lake_fields_json(names, values, positions) -%}
    to_json(map_from_arrays(
        transform({{ positions }}, field_position -> element_at({{ names }}, field_position)),
        transform({{ positions }}, field_position -> nullif(trim(element_at({{ values }}, field_position)), ''))
    ))
{%- endmacro %}

{% macro duckdb__lake_fields_json(names, values, positions) -%}
    nullif(cast(to_json(map_from_entries(list_filter(
        list_transform(
            {{ positions }},
            lambda field_position: {
                'key': {{ names }}[field_position],
                'value': nullif(trim({{ values }}[field_position]), '')
            }
        ),
        lambda header_field: header_field.value is not null
    ))) as varchar), '{}')
{%- endmacro %}
