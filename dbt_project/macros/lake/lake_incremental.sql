{#-
    File-incremental base models: parse only the lake files that are new or changed.

    A base model materialized incremental (strategy append) keeps, on every row, the fingerprint of the
    file it came from (source_file, source_file_size_bytes, source_file_modified_at, from lake_files()),
    the number of lines read from that file (source_file_line_count) and lookup_fingerprint, a digest
    of the lookup tables its checks read (e.g. the product ids a click's sku is checked against). The
    loaded state is the table itself, so it can never disagree with the rows.

    An incremental run compares that state with the files now in the lake. The first file, in
    source_file order, that is new, changed (size or modification time differ) or removed is from_file;
    the run deletes every row of files >= from_file (pre-hook lake_files_delete_reparsed) and parses every
    file now in the lake that is >= from_file. Rows of earlier files stay. Why "and every later file":
    the duplicate-key rule (key_occurrence: first occurrence in (file, line) order is staged, later ones
    are quarantined) makes a file's result depend on every earlier file; re-parsing from the first
    difference on keeps it identical to a full build, while the usual case, a new day's file (the
    newest name), parses that file only. When the lookup digest differs from the loaded one, from_file is
    '' and the whole source is re-parsed, as in a full build.

    A file that yields no rows (an empty day) leaves no state: when it is not the newest file, the run
    reads its lines first and ignores it if it holds none (so an empty day does not make every run
    re-parse the files after it). If the lake changes while a run is
    between compiling the model and its pre-hook, the pre-hook may delete a few more files than the model
    re-parses; those files then count as new and are parsed by the next run.

    A table built before the file state was kept (no fingerprint columns) is re-parsed in full once; the
    models set on_schema_change='append_new_columns' so the columns are added.

    lake_files_to_parse returns none outside an incremental run (first build, --full-refresh, unit tests),
    else {'from_file': first differing file or none when nothing changed, 'files': files to parse}.
-#}
{% macro lake_files_to_parse(source_name, table_name, lookups=[]) -%}
    {%- if not execute or this is none or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {#- A table built before it kept the file state (no fingerprint columns): re-parse every file once. -#}
    {%- set loaded_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if 'source_file_line_count' not in loaded_columns or 'lookup_fingerprint' not in loaded_columns -%}
        {%- set all_files = run_query(lake_files(source_name, table_name) ~ ' order by 1').columns[0].values() -%}
        {{ return({'from_file': '', 'files': all_files | list}) }}
    {%- endif -%}
    {%- set state_query -%}
        with

        current_files as (
            {{ lake_files(source_name, table_name) }}
        ),

        loaded_files as (
            select
                source_file,
                source_file_size_bytes,
                source_file_modified_at,
                max(case
                    when coalesce(lookup_fingerprint, '') <> ({{ lake_lookup_fingerprint(lookups) }}) then 1
                    else 0
                end) as is_lookup_changed
            from {{ this }}
            group by source_file, source_file_size_bytes, source_file_modified_at
        )

        select
            coalesce(current_files.source_file, loaded_files.source_file) as source_file,
            case
                when loaded_files.source_file is null then 'new'
                when current_files.source_file is null then 'removed'
                when
                    current_files.source_file_size_bytes <> loaded_files.source_file_size_bytes
                    or current_files.source_file_modified_at <> loaded_files.source_file_modified_at
                    then 'changed'
                when loaded_files.is_lookup_changed = 1 then 'lookup_changed'
                else 'unchanged'
            end as file_state
        from current_files
        full outer join loaded_files
            on current_files.source_file = loaded_files.source_file
        order by 1
    {%- endset -%}
    {%- set state = run_query(state_query) -%}
    {%- set current_files = [] -%}
    {%- set loaded_files = [] -%}
    {%- set differing_files = [] -%}
    {%- set new_files = [] -%}
    {%- for row in state.rows -%}
        {%- if row[1] != 'removed' -%}
            {%- do current_files.append(row[0]) -%}
        {%- endif -%}
        {%- if row[1] != 'new' -%}
            {%- do loaded_files.append(row[0]) -%}
        {%- endif -%}
        {%- if row[1] == 'new' -%}
            {%- do new_files.append(row[0]) -%}
        {%- elif row[1] == 'lookup_changed' -%}
            {%- do differing_files.append('') -%}
        {%- elif row[1] != 'unchanged' -%}
            {%- do differing_files.append(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {#-
        A new file before a loaded one would force re-parsing every later file; a file that holds no line
        (an empty day) leaves no rows, so it would look new on every run. Such files are read here (lines
        only) and count as a difference only when they hold a line.
    -#}
    {%- set last_loaded = (loaded_files | max) if loaded_files else none -%}
    {%- set early_new_files = [] -%}
    {%- for file in new_files -%}
        {%- if last_loaded is not none and file < last_loaded -%}
            {%- do early_new_files.append(file) -%}
        {%- else -%}
            {%- do differing_files.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if early_new_files -%}
        {%- set lines_query -%}
            select lake_lines.source_file
            from ({{ read_lake_source(source_name, table_name, files=early_new_files) }}) as lake_lines
            group by lake_lines.source_file
        {%- endset -%}
        {%- for file in run_query(lines_query).columns[0].values() -%}
            {%- do differing_files.append(file) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set from_file = (differing_files | min) if differing_files else none -%}
    {%- set files = [] -%}
    {%- if from_file is not none -%}
        {%- for file in current_files | sort -%}
            {%- if file >= from_file -%}
                {%- do files.append(file) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return({'from_file': from_file, 'files': files}) }}
{%- endmacro %}


{#- Pre-hook of a file-incremental base model: delete the rows of the files it re-parses (see above). -#}
{% macro lake_files_delete_reparsed(source_name, table_name, lookups=[]) -%}
    {%- set plan = lake_files_to_parse(source_name, table_name, lookups) -%}
    {%- if plan is none or plan.from_file is none -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ this }} where source_file >= '{{ plan.from_file | replace("'", "''") }}'
{%- endmacro %}


{#-
    The rows of loaded files before from_file, to read the keys already seen (duplicate-key rule) in an
    incremental run: a WHERE condition on {{ this }}; false outside an incremental run or when nothing
    changed (then every row seen is in the rows being parsed).
-#}
{% macro lake_loaded_before(plan) -%}
    {%- if plan is none or plan.from_file is none -%}
        1 = 0
    {%- else -%}
        source_file < '{{ plan.from_file | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}


{#-
    SQL expression (a string): a digest of the lookup tables a base model's checks read, so that rows
    checked against other lookups are re-checked. lookups: list of {'model': model name, 'columns': [...]}
    (names, not relations, so that a model can write them into its pre-hook with tojson).
-#}
{% macro lake_lookup_fingerprint(lookups) -%}
    {%- if lookups | length == 0 -%}
        ''
    {%- else -%}
        {%- set parts = [] -%}
        {%- for lookup in lookups -%}
            {%- do parts.append('(' ~ adapter.dispatch('lake_rows_fingerprint', 'c360')(
                ref(lookup.model), lookup.columns
            ) ~ ')') -%}
            {%- if not loop.last -%}
                {%- do parts.append("'|'") -%}
            {%- endif -%}
        {%- endfor -%}
        {{ dbt.concat(parts) }}
    {%- endif -%}
{%- endmacro %}


{#- One relation's columns as an order-independent digest (a scalar SELECT). -#}
{% macro lake_rows_text(relation, columns) -%}
    {%- set fields = [] -%}
    {%- for column in columns -%}
        {%- do fields.append('coalesce(' ~ dbt.cast(column, dbt.type_string()) ~ ", '')") -%}
    {%- endfor -%}
    select concat_ws('~', {{ fields | join(', ') }}) as row_text from {{ relation }}
{%- endmacro %}

{% macro duckdb__lake_rows_fingerprint(relation, columns) -%}
    select md5(coalesce(string_agg(lookup_rows.row_text, '^' order by lookup_rows.row_text), ''))
    from ({{ lake_rows_text(relation, columns) }}) as lookup_rows
{%- endmacro %}

{#- Spark (plausible, untested here). -#}
{% macro default__lake_rows_fingerprint(relation, columns) -%}
    select md5(concat_ws('^', sort_array(collect_list(lookup_rows.row_text))))
    from ({{ lake_rows_text(relation, columns) }}) as lookup_rows
{%- endmacro %}


{#-
    The import CTEs of a file-incremental base model (see above), for the model's plan from
    lake_files_to_parse(source_name, table_name, lookups), written as a CTE list (no trailing comma):
        raw_lines       the lines to parse: the raw view raw_<source>__<table> outside an incremental run,
                        else only the plan's files, read from the lake
        file_state      per file read: its fingerprint (source_file_size_bytes, source_file_modified_at,
                        from lake_files()), source_file_line_count and the lookup_fingerprint, the
                        incremental state each row keeps (lake_incremental_state)
        loaded_keys     key_column of the rows already loaded from files before the plan's from_file (the
                        duplicate-key rule counts them as first occurrences); empty outside an incremental run
-#}
{% macro lake_incremental_ctes(source_name, table_name, key_column, plan, lookups=[]) -%}
raw_lines as (
    {% if plan is none -%}
        select * from {{ ref('raw_' ~ source_name ~ '__' ~ table_name) }}
    {%- else -%}
        {{ read_lake_source(source_name, table_name, files=plan.files) }}
    {%- endif %}
),

lake_file_fingerprints as (
    {{ lake_files(source_name, table_name) }}
),

lookup_state as (
    select {{ lake_lookup_fingerprint(lookups) }} as lookup_fingerprint
),

file_lines as (
    select
        source_file,
        count(*) as source_file_line_count
    from raw_lines
    group by source_file
),

file_state as (
    select
        file_lines.source_file,
        lake_file_fingerprints.source_file_size_bytes,
        lake_file_fingerprints.source_file_modified_at,
        file_lines.source_file_line_count,
        lookup_state.lookup_fingerprint
    from file_lines
    left join lake_file_fingerprints
        on file_lines.source_file = lake_file_fingerprints.source_file
    cross join lookup_state
),

loaded_keys as (
    {% if plan is none -%}
        select cast(null as {{ dbt.type_string() }}) as {{ key_column }}
        where 1 = 0
    {%- else -%}
        select {{ key_column }} from {{ this }}
        where {{ lake_loaded_before(plan) }} and {{ key_column }} is not null
        group by {{ key_column }}
    {%- endif %}
)
{%- endmacro %}


{#-
    The final select of a file-incremental base model: every row of rows_cte (which has source_file) with
    the incremental state of its file from file_state (lake_incremental_ctes): source_file_size_bytes,
    source_file_modified_at, source_file_line_count, lookup_fingerprint.
-#}
{% macro lake_incremental_state(rows_cte) -%}
    select
        {{ rows_cte }}.*,
        file_state.source_file_size_bytes,
        file_state.source_file_modified_at,
        file_state.source_file_line_count,
        file_state.lookup_fingerprint
    from {{ rows_cte }}
    inner join file_state
        on {{ rows_cte }}.source_file = file_state.source_file
{%- endmacro %}


{#-
    Every row of relation with its key_occurrence (macros/quarantine/source_lines.sql key_occurrence), where a
    key already loaded from an earlier file (loaded_keys of lake_incremental_ctes) counts as the key's first
    occurrence, so an incremental run applies the duplicate-key rule as a full build would.
-#}
{% macro lake_keyed_rows(relation, key_column) -%}
    select
        {{ relation }}.*,
        {{ key_occurrence(relation ~ '.' ~ key_column) }}
        + case when loaded_keys.{{ key_column }} is null then 0 else 1 end as key_occurrence
    from {{ relation }}
    left join loaded_keys
        on {{ relation }}.{{ key_column }} = loaded_keys.{{ key_column }}
{%- endmacro %}
