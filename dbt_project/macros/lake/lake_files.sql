{#-
    The files of one lake source table as they are now, from file metadata only (never the content):
        source_file              path under the lake root, as staging writes it
        source_file_size_bytes   size in bytes
        source_file_modified_at  last modification time (UTC)
    Name, size and modification time are the file's fingerprint: the file-incremental base models
    (macros/lake/lake_incremental.sql) and the day-incremental game and clickstream models compare it with
    the fingerprint they loaded, to find new, changed and removed files. Zero rows when no file matches,
    and in unit tests (which mock the files' lines, not the files).
-#}
{% macro lake_files(source_name, table_name) -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(lake_files_empty()) }}
    {%- endif -%}
    {%- set spec = lake_source_spec(source_name, table_name) -%}
    {%- set path = lake_source_path(spec) -%}
    {%- set file_count = lake_file_count(path) -%}
    {%- if file_count is not none and file_count == 0 -%}
        {{ return(lake_files_empty()) }}
    {%- endif -%}
    {{ return(adapter.dispatch('lake_files', 'c360')(path)) }}
{%- endmacro %}


{% macro lake_files_empty() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as source_file_size_bytes,
        cast(null as {{ dbt.type_timestamp() }}) as source_file_modified_at
    where 1 = 0
{%- endmacro %}


{#- DuckDB: read_blob lists the files with size and modification time; content is not read unless selected. -#}
{% macro duckdb__lake_files(path) -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    select
        substr(lake_files.filename, {{ root_length }}) as source_file,
        cast(lake_files.size as bigint) as source_file_size_bytes,
        cast(timezone('UTC', lake_files.last_modified) as timestamp) as source_file_modified_at
    from read_blob('{{ path | replace("'", "''") }}') as lake_files
{%- endmacro %}


{#- Spark (plausible, untested here): the file source's hidden _metadata column. -#}
{% macro default__lake_files(path) -%}
    select distinct
        lake_files._metadata.file_path as source_file,
        lake_files._metadata.file_size as source_file_size_bytes,
        lake_files._metadata.file_modification_time as source_file_modified_at
    from text.`{{ path }}` as lake_files
{%- endmacro %}
