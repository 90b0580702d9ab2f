{#-
    Schema drift between the files of one lake source, per file and column, for lake_file_issues:
    SELECT source_table, source_file, column_name, drift ('missing' or 'retyped'), file_type, source_type
    (the column's type in the file and in most of the source's files).

    - Parquet (mapped sources): a mapped column whose physical type in a file (UTF8, INT32, DOUBLE,
      TIMESTAMP_MICROS, ...) differs from the type most of the source's files give it is 'retyped'. (A column
      a file lacks is reported by the base model already: missing_columns.)
    - JSON lines (mapped sources): the top-level field of each mapped path, typed per row as string, number,
      boolean, object or array, over the first var('c360_drift_sample_lines', 1000) lines of each file (a
      file's layout shows in its first lines; parsing every line again cost 10 s of 95 at scale 100). A field
      none of those rows has, though at least half of the source's files have it, is 'missing' (a dropped or
      renamed field: its values, under the new name, are kept in extra_attributes); a field whose commonest
      type in a file differs from its commonest type over the source's files is 'retyped' (e.g. prices sent as
      strings).
    Only sources read from several files are compared. The values themselves are parsed as text whatever the
    file's type, so a retyped column loses nothing unless a value no longer parses (then that value's issue is
    in attribute_issues or its row in quarantined_rows, naming the column).

    lake_tables: the mapped lake tables (lake_mapped_tables()). Spark: nothing is compared.
-#}
{% macro lake_file_drift(lake_tables) -%}
    {%- if not execute -%}
        {{ return(lake_file_drift_empty()) }}
    {%- endif -%}
    {{ return(adapter.dispatch('lake_file_drift', 'c360')(lake_tables)) }}
{%- endmacro %}

{% macro lake_file_drift_empty() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as drift,
        cast(null as {{ dbt.type_string() }}) as file_type,
        cast(null as {{ dbt.type_string() }}) as source_type
    where 1 = 0
{%- endmacro %}

{% macro default__lake_file_drift(lake_tables) -%}
    {{ return(lake_file_drift_empty()) }}
{%- endmacro %}

{% macro duckdb__lake_file_drift(lake_tables) -%}
    {%- set parts = [] -%}
    {%- for lake_table in lake_tables -%}
        {%- set mapping = lake_mapping(lake_table.source_system, lake_table.table_name) -%}
        {%- if '*' in mapping.path or '?' in mapping.path -%}
            {%- set part = lake_file_drift_parquet(mapping) if mapping.format == 'parquet'
                else lake_file_drift_json(mapping, lake_table.base_model) if mapping.format == 'jsonl' else '' -%}
            {%- if part -%}
                {%- do parts.append(part) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not parts -%}
        {{ return(lake_file_drift_empty()) }}
    {%- endif -%}
    {#- per column: the type of most files (ties: the first by name), and how many files have the column -#}
    with

    file_types as (
        {{ parts | join('\nunion all\n') }}
    ),

    source_files as (
        select
            source_table,
            count(distinct source_file) as file_count
        from file_types
        group by source_table
    ),

    column_types as (
        select
            source_table,
            column_name,
            file_type,
            count(*) as files_of_type
        from file_types
        where file_type is not null
        group by source_table, column_name, file_type
    ),

    source_types as (
        select
            source_table,
            column_name,
            file_type as source_type
        from column_types
        qualify row_number() over (
            partition by source_table, column_name order by files_of_type desc, file_type
        ) = 1
    ),

    column_files as (
        select
            source_table,
            column_name,
            count(*) as files_with_column
        from file_types
        where has_column
        group by source_table, column_name
    )

    select
        file_types.source_table,
        file_types.source_file,
        file_types.column_name,
        case when file_types.has_column then 'retyped' else 'missing' end as drift,
        file_types.file_type,
        source_types.source_type
    from file_types
    inner join source_files
        on file_types.source_table = source_files.source_table
    inner join column_files
        on
            file_types.source_table = column_files.source_table
            and file_types.column_name = column_files.column_name
    left join source_types
        on
            file_types.source_table = source_types.source_table
            and file_types.column_name = source_types.column_name
    where
        source_files.file_count > 1
        and (
            not file_types.has_column and column_files.files_with_column * 2 >= source_files.file_count
            or file_types.file_type <> source_types.source_type
        )
{%- endmacro %}


{#- Parquet: one row per readable file and mapped column it has, with the column's physical type. -#}
{% macro lake_file_drift_parquet(mapping) -%}
    {%- set path = lake_readable_paths(lake_source_path(mapping), 'parquet', '') -%}
    {%- if path is not string and not path or path is string and lake_file_count(path) == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set keys = [] -%}
    {%- for attribute in lake_mapped_from_file(mapping) if attribute.mapping.get('column') -%}
        {%- do keys.append(lake_header_key(attribute.mapping.column)) -%}
    {%- endfor -%}
    {%- if not keys -%}
        {{ return('') }}
    {%- endif -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    {%- set sql -%}
        select
            '{{ mapping.name }}' as source_table,
            substr(file_name, {{ root_length }}) as source_file,
            name as column_name,
            coalesce(converted_type, type) as file_type,
            true as has_column
        from parquet_schema({{ duckdb_lake_path(path) }})
        where
            type is not null
            and lower(replace(replace(name, ' ', ''), '"', '')) in ({{ lake_sql_strings(keys) }})
    {%- endset -%}
    {{ return(sql) }}
{%- endmacro %}


{#-
    JSON lines: one row per file and mapped top-level field, with the field's commonest type over the file's
    first parsed rows (NULL when none has a non-null value) and whether any of them has the field. One
    json_type call per row reads every field; one pass groups the rows by file.
-#}
{% macro lake_file_drift_json(mapping, base_model) -%}
    {%- set fields = [] -%}
    {%- for attribute in lake_mapped_from_file(mapping) if attribute.mapping.get('path') -%}
        {%- set top = modules.re.match('^[$][.]("[^"]+"|[A-Za-z0-9_]+)', attribute.mapping.path) -%}
        {%- if top and top.group(0) not in fields -%}
            {%- do fields.append(top.group(0)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if mapping.lines and mapping.lines.path not in fields -%}
        {%- do fields.append(mapping.lines.path) -%}
    {%- endif -%}
    {%- if not fields -%}
        {{ return('') }}
    {%- endif -%}
    {%- set types = [] -%}
    {%- set presence = [] -%}
    {%- set aggregates = [] -%}
    {%- for field in fields -%}
        {%- set field_type = 'json_rows.field_types[' ~ loop.index ~ ']' -%}
        {%- do aggregates.append(
            'mode(' ~ field_type ~ ') filter (where ' ~ field_type ~ " <> 'null') as type_" ~ loop.index
        ) -%}
        {%- do aggregates.append('count(' ~ field_type ~ ') as present_' ~ loop.index) -%}
        {%- do types.append('file_fields.type_' ~ loop.index) -%}
        {%- do presence.append('file_fields.present_' ~ loop.index ~ ' > 0') -%}
    {%- endfor -%}
    {%- set sql -%}
        select
            '{{ mapping.name }}' as source_table,
            file_fields.source_file,
            unnest([{{ lake_sql_strings(fields) }}]) as column_name,
            unnest([{{ types | join(', ') }}]) as file_type,
            unnest([{{ presence | join(', ') }}]) as has_column
        from (
            select
                json_rows.source_file,
                {{ aggregates | join(',\n') }}
            from (
                select
                    base_rows.source_file,
                    list_transform(
                        json_type(base_rows.raw_record, [{{ lake_sql_strings(fields) }}]),
                        lambda value_type: case
                            when value_type in ('BIGINT', 'UBIGINT', 'DOUBLE') then 'number'
                            when value_type = 'VARCHAR' then 'string'
                            else lower(value_type)
                        end
                    ) as field_types
                from {{ ref(base_model) }} as base_rows
                where
                    base_rows.rejection_code is distinct from 'broken_json'
                    and base_rows.raw_record is not null
                    and base_rows.line_number <= {{ var('c360_drift_sample_lines', 1000) | int }}
            ) as json_rows
            group by json_rows.source_file
        ) as file_fields
    {%- endset -%}
    {{ return(sql) }}
{%- endmacro %}
