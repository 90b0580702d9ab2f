{#-
    The raw telemetry files as they are now: source_file (path under the lake root, as staging writes it),
    source_file_size_bytes and source_file_modified_at. Name, size and modification time are the
    fingerprint int_game_events_geolocated compares with the files it has loaded, to find the days
    that have new or changed raw files. Reads file metadata only, never the content.
-#}
{% macro game_telemetry_files() -%}
    {%- if not execute -%}
        {{ return(game_telemetry_files_empty()) }}
    {%- endif -%}
    {%- set spec = lake_source_spec('game', 'telemetry') -%}
    {%- set path = lake_source_path(spec) -%}
    {%- set file_count = lake_file_count(path) -%}
    {%- if file_count is not none and file_count == 0 -%}
        {{ return(game_telemetry_files_empty()) }}
    {%- endif -%}
    {{ return(adapter.dispatch('game_telemetry_files', 'c360')(path)) }}
{%- endmacro %}


{% macro game_telemetry_files_empty() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as source_file_size_bytes,
        cast(null as {{ dbt.type_timestamp() }}) as source_file_modified_at
    where 1 = 0
{%- endmacro %}


{#- DuckDB: read_blob lists the files with size and modification time; content is not read unless selected. -#}
{% macro duckdb__game_telemetry_files(path) -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    select
        substr(lake_files.filename, {{ root_length }}) as source_file,
        cast(lake_files.size as bigint) as source_file_size_bytes,
        cast(timezone('UTC', lake_files.last_modified) as timestamp) as source_file_modified_at
    from read_blob('{{ path | replace("'", "''") }}') as lake_files
{%- endmacro %}


{#- Spark (plausible, untested here): the file source's hidden _metadata column. -#}
{% macro spark__game_telemetry_files(path) -%}
    select distinct
        lake_files._metadata.file_path as source_file,
        lake_files._metadata.file_size as source_file_size_bytes,
        lake_files._metadata.file_modification_time as source_file_modified_at
    from text.`{{ path }}` as lake_files
{%- endmacro %}
