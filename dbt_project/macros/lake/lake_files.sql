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


{#-
    The files in the top folders of the lake sources (crm/, shop/, ...) that no source's path glob matches,
    so none of them is read: SELECT source_table, source_file. sources: [{name: '<system>.<table>', path:
    glob under the lake root}] (lake_source_spec). A file is listed under the source whose folder (the
    glob's directory before its first wildcard) holds it most closely (ties: the first name). Hidden files
    (a part starting with '.') are left out, as check-lake does (orchestration/lake_mappings.py).
-#}
{% macro lake_unread_files(sources) -%}
    {%- if not execute or not sources -%}
        {{ return(lake_unread_files_empty()) }}
    {%- endif -%}
    {{ return(adapter.dispatch('lake_unread_files', 'c360')(sources)) }}
{%- endmacro %}


{% macro lake_unread_files_empty() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as source_file
    where 1 = 0
{%- endmacro %}


{#- Spark: the folders are not listed. -#}
{% macro default__lake_unread_files(sources) -%}
    {{ return(lake_unread_files_empty()) }}
{%- endmacro %}


{% macro duckdb__lake_unread_files(sources) -%}
    {%- set root = lake_root() -%}
    {%- set root_length = (root | length) + 2 -%}
    {%- set top_folders = [] -%}
    {%- set owners = [] -%}
    {%- for source in sources if '/' in source.path -%}
        {%- set top_folder = source.path.split('/')[0] -%}
        {%- if top_folder not in top_folders -%}
            {%- do top_folders.append(top_folder) -%}
        {%- endif -%}
        {#- its own folder, and (for files elsewhere in the top folder) the top folder -#}
        {%- set own_folder = modules.re.split('[*?\\[]', source.path)[0].rsplit('/', 1)[0] -%}
        {%- for folder in [own_folder, top_folder] -%}
            {%- do owners.append("select '" ~ source.name ~ "' as source_table, '" ~ folder | replace("'", "''")
                ~ "/' as folder") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not top_folders -%}
        {{ return(lake_unread_files_empty()) }}
    {%- endif -%}
    {%- set listed = [] -%}
    {%- for folder in top_folders -%}
        {%- do listed.append("select file from glob('" ~ (root ~ '/' ~ folder ~ '/' ~ '*' * 2) | replace("'", "''")
            ~ "')") -%}
    {%- endfor -%}
    {%- set matched = [] -%}
    {%- for source in sources -%}
        {%- do matched.append("select file from glob('" ~ (root ~ '/' ~ source.path) | replace("'", "''") ~ "')") -%}
    {%- endfor -%}
    select
        owners.source_table,
        unread.source_file
    from (
        select substr(folder_files.file, {{ root_length }}) as source_file
        from ({{ listed | join(' union all ') }}) as folder_files
        except
        select substr(matched_files.file, {{ root_length }}) as source_file
        from ({{ matched | join(' union all ') }}) as matched_files
    ) as unread
    inner join ({{ owners | join(' union all ') }}) as owners
        on starts_with(unread.source_file, owners.folder)
    where not regexp_matches('/' || unread.source_file, '/[.]')
    qualify row_number() over (
        partition by unread.source_file order by length(owners.folder) desc, owners.source_table
    ) = 1
{%- endmacro %}


{#- The path globs of lake tables (lake_tables()), as lake_unread_files takes them; [] at parse time. -#}
{% macro lake_source_globs(lake_tables) -%}
    {%- set sources = [] -%}
    {%- for lake_table in lake_tables if execute -%}
        {%- set spec = lake_source_spec(lake_table.source_system, lake_table.table_name) -%}
        {%- do sources.append({
            'name': spec.name, 'path': spec.path, 'format': spec.format, 'encoding': spec.encoding,
        }) -%}
    {%- endfor -%}
    {{ return(sources) }}
{%- endmacro %}


{#-
    The files of the lake sources that cannot be read: SELECT source_table, source_file, problem (the reason,
    from c360_file_problem: see lake_readable_paths). read_lake_source leaves them out; lake_file_issues
    reports them.
-#}
{% macro lake_unreadable_files(sources) -%}
    {%- if not execute or not sources -%}
        {{ return(lake_unreadable_files_empty()) }}
    {%- endif -%}
    {{ return(adapter.dispatch('lake_unreadable_files', 'c360')(sources)) }}
{%- endmacro %}

{% macro lake_unreadable_files_empty() -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_string() }}) as problem
    where 1 = 0
{%- endmacro %}

{#- Spark: the files are not probed. -#}
{% macro default__lake_unreadable_files(sources) -%}
    {{ return(lake_unreadable_files_empty()) }}
{%- endmacro %}

{% macro duckdb__lake_unreadable_files(sources) -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    {%- set listed = [] -%}
    {%- for source in sources -%}
        {%- do listed.append(
            "select '" ~ source.name ~ "' as source_table, lake_files.file, '" ~ source.format ~ "' as file_format, '"
            ~ source.encoding | replace("'", "''") ~ "' as file_encoding from glob('"
            ~ (lake_root() ~ '/' ~ source.path) | replace("'", "''") ~ "') as lake_files"
        ) -%}
    {%- endfor -%}
    select
        probed.source_table,
        substr(probed.file, {{ root_length }}) as source_file,
        probed.problem
    from (
        select
            source_files.source_table,
            source_files.file,
            c360_file_problem(source_files.file, source_files.file_format, source_files.file_encoding) as problem
        from ({{ listed | join(' union all ') }}) as source_files
    ) as probed
    where probed.problem is not null
{%- endmacro %}
