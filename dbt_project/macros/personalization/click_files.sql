{#-
    The raw clickstream partition files as they are now, from file metadata only (never the content):
    source_file (path under the lake root, as staging writes it), partition_date (the dt=YYYY-MM-DD of
    its folder), source_file_size_bytes and source_file_modified_at. clicks_by_customer_product_offer
    compares this fingerprint with the one it loaded, to find the days that have new or changed files.
-#}
{% macro clickstream_files() -%}
    {%- if not execute -%}
        {{ return(clickstream_files_empty()) }}
    {%- endif -%}
    {%- set spec = lake_source_spec('web', 'clickstream') -%}
    {%- set path = lake_source_path(spec) -%}
    {%- set file_count = lake_file_count(path) -%}
    {%- if file_count is not none and file_count == 0 -%}
        {{ return(clickstream_files_empty()) }}
    {%- endif -%}
    {{ return(adapter.dispatch('clickstream_files', 'c360')(path)) }}
{%- endmacro %}


{% macro clickstream_files_empty() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as date) as partition_date,
        cast(null as {{ dbt.type_bigint() }}) as source_file_size_bytes,
        cast(null as {{ dbt.type_timestamp() }}) as source_file_modified_at
    where 1 = 0
{%- endmacro %}


{#- DuckDB: read_blob lists the files with size and modification time; content is not read unless selected. -#}
{% macro duckdb__clickstream_files(path) -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    select
        substr(lake_files.filename, {{ root_length }}) as source_file,
        try_cast(regexp_extract(lake_files.filename, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date)
            as partition_date,
        cast(lake_files.size as bigint) as source_file_size_bytes,
        cast(timezone('UTC', lake_files.last_modified) as timestamp) as source_file_modified_at
    from read_blob('{{ path | replace("'", "''") }}') as lake_files
{%- endmacro %}


{#- Spark (plausible, untested here): the file source's hidden _metadata column. -#}
{% macro spark__clickstream_files(path) -%}
    select distinct
        lake_files._metadata.file_path as source_file,
        to_date(regexp_extract(lake_files._metadata.file_path, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1))
            as partition_date,
        lake_files._metadata.file_size as source_file_size_bytes,
        lake_files._metadata.file_modification_time as source_file_modified_at
    from text.`{{ path }}` as lake_files
{%- endmacro %}
