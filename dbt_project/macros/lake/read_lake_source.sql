{#-
    Reading the raw lake. Every lake file is declared as a dbt source (models/staging/<source>/
    _<source>__sources.yml) whose `config.meta.lake` says how to read it:

        path:       glob under the lake root, e.g. shop/orders/orders-*.jsonl.gz
        format:     csv | jsonl | parquet
        delimiter:  CSV field delimiter (csv only; parsed in SQL by csv_fields)
        row_key:    the columns that make the record key (documentation; used by the base models)

    The raw_<source>__<table> models call read_lake_source(). It returns a SELECT with
      source_file  the file's path relative to the lake root (as in seeds_data/truth/malformed_rows.csv)
      line_number  the physical line (text formats, 1 = CSV header) or 1-based row (Parquet) in that file
      raw_record   the line as text (text formats) or the row as JSON text (Parquet)
    and, for Parquet, the declared columns with the file's own types.

    Text formats (CSV and JSON lines, gzip or not) are read one line = one text value, so that no
    reader ever skips or rejects a row: splitting CSV fields and parsing JSON happen in SQL, where a bad
    row can be quarantined with its reason.

    When no file matches (folder missing or glob empty), it logs a warning and returns zero rows with
    the same typed columns, so a partial lake still builds.

    files: optional list of source_file paths (relative to the lake root, as lake_files() lists them) to
    read instead of every file of the glob, in that order (the file-incremental base models read only
    new and changed files this way); an empty list reads nothing.
-#}
{% macro read_lake_source(source_name, table_name, files=none) -%}
    {#- source() puts lake -> raw model lineage into the dbt graph; the relation itself is never queried. -#}
    {%- set lake_relation = source(source_name, table_name) -%}
    {% if not execute -%}
        {{ return('select 1 as parse_placeholder') }}
    {% endif -%}
    {%- set spec = lake_source_spec(source_name, table_name) -%}
    {%- set path = lake_source_path(spec) -%}
    {% if files is not none -%}
        {% if files | length == 0 -%}
            {{ return(empty_lake_relation(spec)) }}
        {% endif -%}
        {%- set path = [] -%}
        {% for file in files -%}
            {%- do path.append(lake_root() ~ '/' ~ file) -%}
        {% endfor -%}
    {% endif -%}
    {%- set file_count = lake_file_count(path) if files is none else files | length -%}
    {% if file_count is not none and file_count == 0 -%}
        {%- do exceptions.warn(
            "Lake source " ~ source_name ~ "." ~ table_name ~ ": no files match " ~ path ~ "; staging it empty"
        ) -%}
        {{ return(empty_lake_relation(spec)) }}
    {% endif -%}
    {#- a file the reader cannot decode (cut-short gzip, not the declared encoding, ...) would fail the whole read:
        leave it out (it is a lake_file_issues line, unreadable_file) and read the others -#}
    {%- set path = lake_readable_paths(path, spec.format, spec.encoding) -%}
    {% if path is not string and path | length == 0 -%}
        {{ return(empty_lake_relation(spec)) }}
    {% endif -%}
    {% if spec.format == 'parquet' -%}
        {{ return(adapter.dispatch('read_lake_parquet', 'c360')(spec, path)) }}
    {%- else -%}
        {{ return(adapter.dispatch('read_lake_lines', 'c360')(spec, path)) }}
    {% endif -%}
{%- endmacro %}


{#- The declaration of one lake source table, from the dbt graph (execution time only). -#}
{% macro lake_source_spec(source_name, table_name) -%}
    {%- set unique_id = 'source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name -%}
    {%- set node = graph.sources.get(unique_id) -%}
    {% if node is none -%}
        {{ exceptions.raise_compiler_error("Lake source " ~ source_name ~ "." ~ table_name ~ " is not declared") }}
    {% endif -%}
    {%- set meta = (node.config or {}).get('meta') or node.meta or {} -%}
    {%- set lake = meta.get('lake') -%}
    {% if not lake or not lake.get('path') or lake.get('format') not in ['csv', 'jsonl', 'parquet'] -%}
        {{ exceptions.raise_compiler_error(
            "Lake source " ~ source_name ~ "." ~ table_name
            ~ " needs config.meta.lake.path and config.meta.lake.format (csv, jsonl or parquet)"
        ) }}
    {% endif -%}
    {%- set columns = [] -%}
    {% for column in node.columns.values() -%}
        {%- do columns.append({'name': column.name, 'data_type': column.data_type or 'varchar'}) -%}
    {% endfor -%}
    {% if lake.get('entity') and lake.format == 'parquet' -%}
        {#- A mapped Parquet source is read with every column its files have (see lake_mapped.sql). -#}
        {%- set file_columns = lake_parquet_columns(lake_root() ~ '/' ~ lake.path) or [] -%}
        {%- set declared = {} -%}
        {% for column in columns -%}
            {%- do declared.update({column.name | lower: column.data_type}) -%}
        {% endfor -%}
        {%- if file_columns -%}
            {%- set columns = [] -%}
        {%- endif -%}
        {% for name in file_columns -%}
            {%- do columns.append({'name': name, 'data_type': declared.get(name | lower, 'varchar')}) -%}
        {% endfor -%}
    {% endif -%}
    {{ return({
        'name': source_name ~ '.' ~ table_name,
        'path': lake.path,
        'format': lake.format,
        'delimiter': lake.get('delimiter', ','),
        'encoding': lake.get('encoding', 'utf-8'),
        'columns': columns,
        'lake': lake,
    }) }}
{%- endmacro %}


{#- Absolute glob of a lake source table. -#}
{% macro lake_source_path(spec) -%}
    {{ return(lake_root() ~ '/' ~ spec.path) }}
{%- endmacro %}


{#- Zero rows, with the columns and types the reader would return. Portable SQL. -#}
{% macro empty_lake_relation(spec) -%}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as line_number,
    {% if spec.format == 'parquet' %}
        {% for column in spec.columns %}
            cast(null as {{ column.data_type }}) as {{ column.name }},
        {% endfor %}
    {% endif %}
        cast(null as {{ dbt.type_string() }}) as raw_record
    where 1 = 0
{%- endmacro %}


{#- How many files match a lake glob, at execution time; none when the adapter cannot tell. -#}
{% macro lake_file_count(path) -%}
    {{ return(adapter.dispatch('lake_file_count', 'c360')(path)) }}
{%- endmacro %}

{% macro default__lake_file_count(path) -%}
    {#- Spark SQL has no glob(): a missing path fails the read with the path in Spark's error. -#}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__lake_file_count(path) -%}
    {%- set result = run_query("select count(*) from glob('" ~ path | replace("'", "''") ~ "')") -%}
    {{ return(result.columns[0].values()[0] | int) }}
{%- endmacro %}


{#-
    The readable files of a lake path (a glob, or a list of files): the path itself when every file reads, else
    the list of files that do, in order (maybe empty). A file is unreadable when c360_file_problem (the dbt-duckdb
    plugin orchestration/lake_probe.py) names a problem: a compressed file of zero bytes or cut short, a .gz
    file without gzip data, text not in the declared encoding, a Parquet file without its footer.
    lake_file_issues reports each (unreadable_file, with the problem). Spark: every file is taken as readable.
-#}
{% macro lake_readable_paths(path, format, encoding) -%}
    {{ return(adapter.dispatch('lake_readable_paths', 'c360')(path, format, encoding)) }}
{%- endmacro %}

{% macro default__lake_readable_paths(path, format, encoding) -%}
    {{ return(path) }}
{%- endmacro %}

{% macro duckdb__lake_readable_paths(path, format, encoding) -%}
    {%- set files = "glob(" ~ duckdb_lake_path(path) ~ ")" if path is string
        else "(select unnest(" ~ duckdb_lake_path(path) ~ ") as file)" -%}
    {%- set probed = run_query(
        "select file, c360_file_problem(file, '" ~ format ~ "', '" ~ encoding | replace("'", "''")
        ~ "') is null as readable from " ~ files ~ " as lake_files order by file"
    ) -%}
    {%- set readable = [] -%}
    {%- for row in probed.rows if row[1] -%}
        {%- do readable.append(row[0]) -%}
    {%- endfor -%}
    {%- if readable | length == probed.rows | length -%}
        {{ return(path) }}
    {%- endif -%}
    {{ return(readable if path is string else path | select('in', readable) | list) }}
{%- endmacro %}


{#- SQL expression: files matching a lake glob, evaluated when the query runs (for lake_inventory). -#}
{% macro lake_file_count_sql(path) -%}
    {{ return(adapter.dispatch('lake_file_count_sql', 'c360')(path)) }}
{%- endmacro %}

{% macro default__lake_file_count_sql(path) -%}
    cast(null as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__lake_file_count_sql(path) -%}
    (select count(*) from glob('{{ path | replace("'", "''") }}'))
{%- endmacro %}


{#- A DuckDB file argument: one quoted glob, or a list of quoted paths. -#}
{% macro duckdb_lake_path(path) -%}
    {%- if path is string -%}
        '{{ path | replace("'", "''") }}'
    {%- else -%}
        [{% for file in path %}'{{ file | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %}]
    {%- endif -%}
{%- endmacro %}


{#- ---- DuckDB readers ------------------------------------------------------------------------------ -#}

{#-
    One row per physical line. read_csv with a delimiter that never occurs (unit + record separator),
    no quote and no escape yields each line whole; gzip is detected from the file name. Line numbers:
    WITH ORDINALITY numbers rows in scan order, which DuckDB keeps as long as preserve_insertion_order is
    on (its default), and files are scanned one after the other in glob order, so the ordinality minus
    the file's first ordinality is the line number. A blank line comes back as NULL and is kept.
    A file that is not valid UTF-8 fails the build with DuckDB's error naming file and line.
-#}
{% macro duckdb__read_lake_lines(spec, path) -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    {%- set insertion_order = run_query("select current_setting('preserve_insertion_order')") -%}
    {%- if not insertion_order.columns[0].values()[0] -%}
        {{ exceptions.raise_compiler_error(
            "Lake source " ~ spec.name ~ ": DuckDB's preserve_insertion_order is off, so line numbers "
            ~ "would not be dependable. Remove that setting from the profile."
        ) }}
    {%- endif -%}
    select
        substr(lake_lines.filename, {{ root_length }}) as source_file,
        cast(
            lake_lines.ordinality - min(lake_lines.ordinality) over (partition by lake_lines.filename) + 1
            as bigint
        ) as line_number,
        lake_lines.raw_record
    from read_csv(
        {{ duckdb_lake_path(path) }},
        columns = {'raw_record': 'VARCHAR'},
        header = false,
        auto_detect = false,
        delim = chr(31) || chr(30),
        quote = '',
        escape = '',
        filename = true,
        compression = 'auto',
        {% if spec.encoding | lower not in ['utf-8', 'utf8'] %}
        encoding = '{{ spec.encoding }}',
        {% endif %}
        max_line_size = 16777216
    ) with ordinality as lake_lines
{%- endmacro %}

{#- Parquet with its own types; file_row_number is DuckDB's dependable 0-based row index. -#}
{% macro duckdb__read_lake_parquet(spec, path) -%}
    {%- set root_length = (lake_root() | length) + 2 -%}
    {%- set struct_fields = [] -%}
    {%- for column in spec.columns -%}
        {%- do struct_fields.append(adapter.quote(column.name) ~ ' := lake_rows.' ~ adapter.quote(column.name)) -%}
    {%- endfor -%}
    select
        substr(lake_rows.filename, {{ root_length }}) as source_file,
        cast(lake_rows.file_row_number + 1 as bigint) as line_number,
        {% for column in spec.columns %}
            lake_rows.{{ adapter.quote(column.name) }},
        {% endfor %}
        cast(to_json(struct_pack({{ struct_fields | join(', ') }})) as varchar) as raw_record
    from read_parquet(
        {{ duckdb_lake_path(path) }},
        filename = true,
        file_row_number = true,
        union_by_name = true
    ) as lake_rows
{%- endmacro %}


{#- ---- Spark readers (plausible, untested here: no Spark in this environment) ---------------------- -#}

{#-
    Spark reads text files (gzip too) line by line with the `text` data source. It has no dependable
    line number: rows of one file keep their order within the scan, and monotonically_increasing_id()
    grows with it, so row_number() over the file ordered by it approximates the line number. Where
    that is not trusted, row keys fall back to the record key (see the base models).
-#}
{% macro spark__read_lake_lines(spec, path) -%}
    select
        source_file,
        row_number() over (partition by source_file order by scan_order) as line_number,
        raw_record
    from (
        select
            input_file_name() as source_file,
            monotonically_increasing_id() as scan_order,
            value as raw_record
        from text.`{{ path if path is string else path | join(',') }}`
    ) as lake_lines
{%- endmacro %}

{% macro spark__read_lake_parquet(spec, path) -%}
    {%- set struct_fields = [] -%}
    {%- for column in spec.columns -%}
        {%- do struct_fields.append("'" ~ column.name ~ "', lake_rows." ~ column.name) -%}
    {%- endfor -%}
    select
        lake_rows._metadata.file_path as source_file,
        lake_rows._metadata.row_index + 1 as line_number,
        {% for column in spec.columns %}
            lake_rows.{{ column.name }},
        {% endfor %}
        to_json(named_struct({{ struct_fields | join(', ') }})) as raw_record
    from parquet.`{{ path if path is string else path | join(',') }}` as lake_rows
{%- endmacro %}
