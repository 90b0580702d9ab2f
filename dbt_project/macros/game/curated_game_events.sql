{#-
    The curated game events in the lake: Parquet, one file per event day,
        <curated path>/year=YYYY/month=MM/day=DD/events.parquet
    written by int_game_events_geolocated's post-hook for the days that need it and read back by the
    reconciliation tests. Each file is written beside its final name and renamed over it, so a reader
    sees the old day or the new day, never half of one; a day without events any more gets an empty file.

    Where: var c360_game_curated_path when set, else <C360_LAKE>/curated/game_events. The committed
    sample lake (seeds_data/lake, recognised by the generator module beside it) is never written to: for
    it the default is <C360_HOME>/curated/game_events.
-#}
{% macro curated_game_events_path() -%}
    {%- set configured = var('c360_game_curated_path', none) -%}
    {%- if configured -%}
        {{ return((configured | string).rstrip('/')) }}
    {%- endif -%}
    {%- set lake = lake_root() -%}
    {%- if execute and adapter.dispatch('lake_is_committed_sample', 'c360')(lake) -%}
        {{ return(env_var('C360_HOME').rstrip('/') ~ '/curated/game_events') }}
    {%- endif -%}
    {{ return(lake ~ '/curated/game_events') }}
{%- endmacro %}


{% macro default__lake_is_committed_sample(lake) -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__lake_is_committed_sample(lake) -%}
    {%- set parent = lake.rsplit('/', 1)[0] -%}
    {%- set result = run_query(
        "select count(*) from glob('" ~ (parent ~ '/generate.py') | replace("'", "''") ~ "')"
    ) -%}
    {{ return(result.columns[0].values()[0] | int > 0) }}
{%- endmacro %}


{#- Relative path of one day's file: year=YYYY/month=MM/day=DD/events.parquet for 'YYYY-MM-DD'. -#}
{% macro curated_day_file(day) -%}
    {%- set parts = day.split('-') -%}
    {{ return('year=' ~ parts[0] ~ '/month=' ~ parts[1] ~ '/day=' ~ parts[2] ~ '/events.parquet') }}
{%- endmacro %}


{#- The columns of the curated files, in order (the partition keys live in the path). -#}
{% macro curated_game_event_columns() -%}
    {{ return([
        'event_id', 'source_system', 'source_record_id', 'event_type', 'event_at', 'event_date',
        'player_id', 'customer_contact_id', 'session_id', 'platform', 'game_id',
        'ip_address', 'ip_number', 'geo_resolution', 'network', 'geoname_id', 'country_iso_code',
        'country_name', 'region_name', 'city_name', 'latitude', 'longitude', 'accuracy_radius_km',
        'level_number', 'session_duration_seconds', 'item_id', 'amount', 'currency_code', 'amount_eur',
        'source_file',
    ]) }}
{%- endmacro %}


{#-
    Post-hook of int_game_events_geolocated: bring the curated files in line with the model for the
    days that need it: the days this invocation loaded, days of the model missing from the lake (a
    deleted file is rewritten) and non-empty days in the lake the model no longer has (emptied).
    Restricted to the day window when one is set. Returns no SQL; it runs its statements itself.
-#}
{% macro write_curated_game_events() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set root = curated_game_events_path() -%}
    {%- set window = game_day_window() -%}
    {%- set curated_days = adapter.dispatch('curated_game_event_days', 'c360')(root) -%}
    {%- set days_sql -%}
        select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
        from {{ this }}
        where dbt_invocation_id = '{{ invocation_id }}'
            and {{ c360_day_window_condition('event_date', window) }}
    {%- endset -%}
    {%- set model_days_sql -%}
        select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
        from {{ this }}
        where {{ c360_day_window_condition('event_date', window) }}
    {%- endset -%}
    {%- set loaded_days = run_query(days_sql).columns[0].values() | map('string') | list -%}
    {%- set model_days = run_query(model_days_sql).columns[0].values() | map('string') | list -%}
    {%- set days = [] -%}
    {%- for day in loaded_days -%}
        {%- do days.append(day) -%}
    {%- endfor -%}
    {%- for day in model_days -%}
        {%- if day not in curated_days and day not in days -%}
            {%- do days.append(day) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for day, row_count in curated_days.items() -%}
        {%- set in_window = window is none or (window.start <= day and day <= window.end) -%}
        {%- if in_window and row_count > 0 and day not in model_days and day not in days -%}
            {%- do days.append(day) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if days | length > 0 -%}
        {%- do adapter.dispatch('write_curated_game_event_days', 'c360')(this, root, days | sort) -%}
    {%- endif -%}
    {%- do log('game events: wrote ' ~ days | length ~ ' curated day file(s) under ' ~ root, info=true) -%}
    {{ return('') }}
{%- endmacro %}


{#- {'YYYY-MM-DD': row count} of the day files present under the curated root; {} when unknown. -#}
{% macro default__curated_game_event_days(root) -%}
    {{ return({}) }}
{%- endmacro %}

{% macro duckdb__curated_game_event_days(root) -%}
    {%- set pattern = root ~ '/year=*/month=*/day=*/events.parquet' -%}
    {%- set found = run_query(
        "select count(*) from glob('" ~ pattern | replace("'", "''") ~ "')"
    ).columns[0].values()[0] | int -%}
    {%- if found == 0 -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set listing_sql -%}
        select
            regexp_extract(file_name, 'year=([0-9]{4})/month=([0-9]{2})/day=([0-9]{2})/', ['y', 'm', 'd']) as parts,
            num_rows
        from parquet_file_metadata('{{ pattern | replace("'", "''") }}')
    {%- endset -%}
    {%- set listing_sql -%}
        select parts.y || '-' || parts.m || '-' || parts.d as event_day, num_rows
        from ({{ listing_sql }}) as curated_files
    {%- endset -%}
    {%- set result = run_query(listing_sql) -%}
    {%- set days = {} -%}
    {%- for row in result.rows -%}
        {%- do days.update({row[0]: row[1] | int}) -%}
    {%- endfor -%}
    {{ return(days) }}
{%- endmacro %}


{#-
    DuckDB: COPY creates no folders for a single file, but a partitioned COPY creates its target folder
    (one level) and the partition folders. So: a zero-row partitioned COPY per level of the curated root
    (a no-op where the folder exists), a partitioned COPY of one marker row per day creates the day
    folders (the `_partition` marker is a CSV that no Parquet reader picks up), then one
    COPY per day with USE_TMP_FILE: DuckDB writes events.parquet.tmp beside the target and renames it
    over events.parquet, an atomic replace on one file system. Rows are ordered, so a rewrite of an
    unchanged day is byte-for-byte the same data.
-#}
{% macro duckdb__write_curated_game_event_days(relation, root, days) -%}
    {%- set quoted_root = root | replace("'", "''") -%}
    {%- set folder_rows = [] -%}
    {%- for day in days -%}
        {%- set parts = day.split('-') -%}
        {%- do folder_rows.append("('" ~ parts[0] ~ "', '" ~ parts[1] ~ "', '" ~ parts[2] ~ "', '" ~ day ~ "')") -%}
    {%- endfor -%}
    {%- set levels = root.strip('/').split('/') -%}
    {%- for depth in range(2, levels | length + 1) -%}
        {%- call statement('curated_game_event_root') -%}
            copy (select 1 as level_marker, 1 as level_key where 1 = 0)
            to '/{{ levels[:depth] | join('/') | replace("'", "''") }}' (
                format csv, partition_by (level_key), overwrite_or_ignore
            )
        {%- endcall -%}
    {%- endfor -%}
    {%- call statement('curated_game_event_folders') -%}
        copy (
            select year, month, day, event_day
            from (values {{ folder_rows | join(', ') }}) as folders (year, month, day, event_day)
        ) to '{{ quoted_root }}' (
            format csv, partition_by (year, month, day), filename_pattern '_partition_{i}', overwrite_or_ignore
        )
    {%- endcall -%}
    {#-
        The days' rows go to a sorted in-memory temp table first: each per-day COPY then reads a few row
        groups of it instead of filtering the whole on-disk model again (3x faster at scale 10). One round
        trip for all days (DuckDB runs a string of statements in order); each COPY is atomic on its own.
    -#}
    {%- call statement('curated_game_event_batch') -%}
        create or replace temp table curated_game_event_batch as
        select {{ curated_game_event_columns() | join(', ') }}
        from {{ relation }}
        where {{ c360_days_condition('event_date', days) }}
        order by event_date, event_at, event_id
    {%- endcall -%}
    {%- call statement('curated_game_event_days') -%}
        {%- for day in days %}
            copy (
                select * from curated_game_event_batch
                where event_date = cast('{{ day }}' as date)
                order by event_at, event_id
            ) to '{{ quoted_root }}/{{ curated_day_file(day) }}' (
                format parquet, compression zstd, use_tmp_file true
            );
        {%- endfor %}
        drop table curated_game_event_batch;
    {%- endcall -%}
{%- endmacro %}


{#-
    Spark (plausible, untested here): an external Parquet table over the curated path, partitioned by
    year / month / day; a dynamic partition overwrite replaces exactly the days selected (Spark's
    commit protocol moves the new files in when the job commits). A day left without events keeps its
    old files there: run a full refresh to clear it.
-#}
{% macro spark__write_curated_game_event_days(relation, root, days) -%}
    {%- set curated_table = relation.schema ~ '.curated_game_events' -%}
    {%- call statement('curated_game_events_table') -%}
        create table if not exists {{ curated_table }}
        using parquet
        partitioned by (year, month, day)
        location '{{ root }}'
        as select
            {{ curated_game_event_columns() | join(', ') }},
            date_format(event_date, 'yyyy') as year,
            date_format(event_date, 'MM') as month,
            date_format(event_date, 'dd') as day
        from {{ relation }}
        where 1 = 0
    {%- endcall -%}
    {%- call statement('curated_game_events_overwrite') -%}
        set spark.sql.sources.partitionOverwriteMode = dynamic
    {%- endcall -%}
    {%- call statement('curated_game_events_insert') -%}
        insert overwrite table {{ curated_table }} partition (year, month, day)
        select
            {{ curated_game_event_columns() | join(', ') }},
            date_format(event_date, 'yyyy') as year,
            date_format(event_date, 'MM') as month,
            date_format(event_date, 'dd') as day
        from {{ relation }}
        where {{ c360_days_condition('event_date', days) }}
    {%- endcall -%}
{%- endmacro %}


{#- The curated files as a relation (tests read them back). Zero rows when there are none yet. -#}
{% macro read_curated_game_events() -%}
    {%- if not execute -%}
        {{ return(curated_game_events_empty()) }}
    {%- endif -%}
    {{ return(adapter.dispatch('read_curated_game_events', 'c360')(curated_game_events_path())) }}
{%- endmacro %}

{% macro curated_game_events_empty() -%}
    select
        cast(null as {{ dbt.type_string() }}) as event_id,
        cast(null as date) as event_date,
        cast(null as decimal(18, 2)) as amount_eur,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_string() }}) as file_day
    where 1 = 0
{%- endmacro %}

{% macro duckdb__read_curated_game_events(root) -%}
    {%- set pattern = root ~ '/year=*/month=*/day=*/events.parquet' -%}
    {%- set found = 0 -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select count(*) from glob('" ~ pattern | replace("'", "''") ~ "')"
        ).columns[0].values()[0] | int -%}
    {%- endif -%}
    {%- if found == 0 -%}
        {{ curated_game_events_empty() }}
    {%- else -%}
        select
            curated_files.*,
            curated_files.year || '-' || curated_files.month || '-' || curated_files.day as file_day
        from read_parquet(
            '{{ pattern | replace("'", "''") }}', hive_partitioning = true, hive_types_autocast = false
        ) as curated_files
    {%- endif -%}
{%- endmacro %}

{% macro spark__read_curated_game_events(root) -%}
    select
        curated_files.*,
        concat_ws('-', curated_files.year, curated_files.month, curated_files.day) as file_day
    from {{ target.schema }}.curated_game_events as curated_files
{%- endmacro %}
