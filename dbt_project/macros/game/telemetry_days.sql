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
    {{ return(c360_days_to_process(ref('stg_game__game_events'), game_day_window, game_changed_days_sql)) }}
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

    changed_files as (
        {{ c360_changed_fingerprints_sql('current_files', 'loaded_files', 'source_file') | indent(4) }}
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


{#- The day window of vars c360_game_start_day / c360_game_end_day (see c360_day_window), or none. -#}
{% macro game_day_window() -%}
    {{ return(c360_day_window('c360_game_start_day', 'c360_game_end_day')) }}
{%- endmacro %}
