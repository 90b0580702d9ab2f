{#-
    Which event days a run of int_game_events_geolocated (re)builds; see the model's docs.

    Returns none for "every day" (a first build or --full-refresh without a day window), else a list of
    'YYYY-MM-DD' strings, possibly empty (nothing changed). A day is rebuilt when
      - a raw file that holds events of that day is new, changed (size or modification time differs
        from what was loaded) or gone: the days its staged events fall on now, and the days its
        loaded events fell on before; or
      - it lies in the window c360_game_start_day .. c360_game_end_day (inclusive) when one is set:
        a window is an explicit backfill, so every day in it with events, staged or loaded, is rebuilt,
        and no day outside it is touched.
    Deterministic for a given state, so the model body and its pre-hook compute the same list.
-#}
{% macro game_days_to_process() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set window = game_day_window() -%}
    {%- set staged = ref('stg_game__game_events') -%}
    {%- if not is_incremental() and window is none -%}
        {{ return(none) }}
    {%- elif not is_incremental() -%}
        {%- set days_sql = game_window_days_sql(staged, none, window) -%}
    {%- elif window is not none -%}
        {%- set days_sql = game_window_days_sql(staged, this, window) -%}
    {%- else -%}
        {%- set days_sql = game_changed_days_sql(staged, this) -%}
    {%- endif -%}
    {%- set result = run_query(days_sql) -%}
    {{ return(result.columns[0].values() | map('string') | sort | list) }}
{%- endmacro %}


{#- Days of the window that have events: staged, or (loaded not none) already loaded. -#}
{% macro game_window_days_sql(staged, loaded, window) -%}
    select {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
    from {{ staged }}
    where {{ game_day_window_condition('event_date', window) }}
    {% if loaded is not none -%}
        union
        select {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
        from {{ loaded }}
        where {{ game_day_window_condition('event_date', window) }}
    {%- endif %}
{%- endmacro %}


{#- Days touched by raw files whose fingerprint (path, size, modification time) differs from the loaded one. -#}
{% macro game_changed_days_sql(staged, loaded) -%}
    with

    current_files as (
        select
            source_file,
            source_file_size_bytes,
            source_file_modified_at
        from {{ ref('int_game_telemetry_files_listed') }}
    ),

    loaded_files as (
        select distinct
            source_file,
            source_file_size_bytes,
            source_file_modified_at
        from {{ loaded }}
    ),

    new_or_changed as (
        select * from current_files
        except
        select * from loaded_files
    ),

    changed_or_gone as (
        select * from loaded_files
        except
        select * from current_files
    ),

    changed_files as (
        select source_file from new_or_changed
        union
        select source_file from changed_or_gone
    ),

    changed_days as (
        select staged.event_date
        from {{ staged }} as staged
        inner join changed_files
            on staged.source_file = changed_files.source_file
        union
        select loaded.event_date
        from {{ loaded }} as loaded
        inner join changed_files
            on loaded.source_file = changed_files.source_file
    )

    select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
    from changed_days
{%- endmacro %}


{#- The day window from the vars, as {'start': 'YYYY-MM-DD', 'end': 'YYYY-MM-DD'}, or none. -#}
{% macro game_day_window() -%}
    {%- set start_day = var('c360_game_start_day', none) -%}
    {%- set end_day = var('c360_game_end_day', none) -%}
    {%- if start_day is none and end_day is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start_day = (start_day or end_day) | string -%}
    {%- set end_day = (end_day or start_day) | string -%}
    {%- for day in [start_day, end_day] -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day) -%}
            {{ exceptions.raise_compiler_error(
                "c360_game_start_day / c360_game_end_day must be dates YYYY-MM-DD, got '" ~ day ~ "'"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if start_day > end_day -%}
        {{ exceptions.raise_compiler_error(
            "c360_game_start_day (" ~ start_day ~ ") is after c360_game_end_day (" ~ end_day ~ ")"
        ) }}
    {%- endif -%}
    {{ return({'start': start_day, 'end': end_day}) }}
{%- endmacro %}


{% macro game_day_window_condition(column, window) -%}
    {%- if window is none -%}
        1 = 1
    {%- else -%}
        {{ column }} between cast('{{ window.start }}' as date) and cast('{{ window.end }}' as date)
    {%- endif -%}
{%- endmacro %}


{#- SQL condition: column is one of the days (none = every day, [] = no day). -#}
{% macro game_days_condition(column, days) -%}
    {%- if days is none -%}
        1 = 1
    {%- elif days | length == 0 -%}
        1 = 0
    {%- else -%}
        {%- set literals = [] -%}
        {%- for day in days -%}
            {%- do literals.append("cast('" ~ day ~ "' as date)") -%}
        {%- endfor -%}
        {{ column }} in ({{ literals | join(', ') }})
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of int_game_events_geolocated: remove the days this run rebuilds (incremental runs only). -#}
{% macro game_events_delete_days() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set days = game_days_to_process() -%}
    {%- if days is not none and days | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ this }} where {{ game_days_condition('event_date', days) }}
{%- endmacro %}
