{#-
    Row-count reconciliation for a file-incremental lake source (see macros/lake/lake_incremental.sql):
        rows in = rows staged + rows quarantined,
    the same identity as tests/generic/reconciles_with_lake.sql (both end with lake_reconciliation), without
    re-reading every file on every build. Rows in are counted per file now in the lake:
      - a file whose fingerprint (name, size, modification time) is recorded in the base model counts the
        lines the base model read from it (source_file_line_count, counted before any parsing, so a row
        lost or added between the lines read and staging still fails the test);
      - any other file (new or changed since the last build, or yielding no rows) is read now and its
        lines are counted, as the raw view would.
    So a stale build (files added, changed or removed since) fails exactly as with the raw-view count, and
    an up-to-date build reads file metadata only.
      source_table  e.g. 'game.telemetry' (quarantined_rows.source_table and the lake source)
      base_model    ref() of the file-incremental base model
      header_lines  physical lines per file that are not rows (1 for CSV headers)
-#}
{#-
    Two CTEs (no trailing comma): current_files, the fingerprints of the files now in the lake (lake_files), and
    recorded_files, one row per file fingerprint recorded in base_model with the lines read from it.
-#}
{% macro lake_files_recorded_ctes(source_table, base_model) -%}
current_files as (
    {{ lake_files(source_table.split('.')[0], source_table.split('.')[1]) }}
),

recorded_files as (
    select
        source_file,
        source_file_size_bytes,
        source_file_modified_at,
        max(source_file_line_count) as source_file_line_count
    from {{ base_model }}
    group by source_file, source_file_size_bytes, source_file_modified_at
)
{%- endmacro %}


{#- Join condition: files a and b have the same fingerprint (name, size, modification time). -#}
{% macro lake_fingerprints_match(a, b) -%}
    {{ a }}.source_file = {{ b }}.source_file
    and {{ a }}.source_file_size_bytes = {{ b }}.source_file_size_bytes
    and {{ a }}.source_file_modified_at = {{ b }}.source_file_modified_at
{%- endmacro %}


{#- The files now in the lake whose fingerprint is not recorded in base_model (execution time only). -#}
{% macro lake_files_unrecorded(source_table, base_model) -%}
    {%- set unrecorded_files = [] -%}
    {%- if not execute -%}
        {{ return(unrecorded_files) }}
    {%- endif -%}
    {%- set unrecorded_query -%}
        with

        {{ lake_files_recorded_ctes(source_table, base_model) }}

        select current_files.source_file
        from current_files
        left join recorded_files
            on {{ lake_fingerprints_match('current_files', 'recorded_files') }}
        where recorded_files.source_file is null
        order by current_files.source_file
    {%- endset -%}
    {%- for source_file in run_query(unrecorded_query).columns[0].values() -%}
        {%- do unrecorded_files.append(source_file) -%}
    {%- endfor -%}
    {{ return(unrecorded_files) }}
{%- endmacro %}


{% test reconciles_with_lake_files(model, source_table, base_model, header_lines=0) %}

with

{{ lake_files_recorded_ctes(source_table, base_model) }},

rows_in_recorded as (
    select coalesce(sum(recorded_files.source_file_line_count - {{ header_lines }}), 0) as row_count
    from current_files
    inner join recorded_files
        on {{ lake_fingerprints_match('current_files', 'recorded_files') }}
),

unrecorded_lines as (
    {{ read_lake_source(
        source_table.split('.')[0], source_table.split('.')[1],
        files=lake_files_unrecorded(source_table, base_model),
    ) }}
),

rows_in_unrecorded as (
    select count(*) as row_count
    from unrecorded_lines
    where line_number > {{ header_lines }}
),

rows_in as (
    select rows_in_recorded.row_count + rows_in_unrecorded.row_count as row_count
    from rows_in_recorded
    cross join rows_in_unrecorded
),

{{ lake_reconciliation(model, source_table, 'rows_in') }}

{% endtest %}
