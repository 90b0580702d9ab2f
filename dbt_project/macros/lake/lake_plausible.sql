{#- Plausible dates of the mapped lake sources (see lake_mapped_types.sql, lake_mapped_issue). -#}


{#-
    The dates an attribute may hold (its `plausible` option, orchestration/lake_mappings.py ENTITIES), as
    {first: the first plausible instant, after: the first implausible one after it (SQL expressions),
    first_year, last_year (SQL integers, for a year), text: what lies outside, for the reason}:
    'recorded' (when something happened or was recorded): var c360_plausible_from (default 1990-01-01)
    to the time the newest file of the source (path: its glob, lake_source_path) was written plus one day
    (no file holds what happened after it was written), or to the end of var c360_plausible_until (a date);
    'birth': 1900-01-01 to today; any other date: 1900 to 2099.
-#}
{% macro lake_plausible_window(kind, path) -%}
    {%- set first_day = var('c360_plausible_from', '1990-01-01') | string -%}
    {%- set last_day = var('c360_plausible_until', none) -%}
    {%- set last_recorded = "cast('" ~ last_day ~ "' as date)" if last_day else lake_newest_file_time(path) -%}
    {%- set recorded_end = ('after ' ~ last_day) if last_day
        else 'more than a day after the newest file of the source was written' -%}
    {%- set windows = {
        'recorded': [first_day, dbt.dateadd('day', 1, last_recorded), 'before ' ~ first_day ~ ' or ' ~ recorded_end],
        'birth': ['1900-01-01', dbt.dateadd('day', 1, 'current_date'), 'before 1900 or in the future'],
    } -%}
    {%- set first_day, after, text = windows.get(kind, ['1900-01-01', "cast('2100-01-01' as date)",
                                                         'before 1900 or after 2099']) -%}
    {{ return({
        'first': "cast('" ~ first_day ~ "' as date)", 'after': after, 'text': text,
        'first_year': first_day[:4] | int, 'last_year': 'extract(year from ' ~ dbt.dateadd('day', -1, after) ~ ')',
    }) }}
{%- endmacro %}

{#- The time the newest file of a lake path (a glob) was written (UTC): a scalar subquery. -#}
{% macro lake_newest_file_time(path) -%}
    {{ return(adapter.dispatch('lake_newest_file_time', 'c360')(path)) }}
{%- endmacro %}

{#- Spark: the file times are not read; the run's clock stands in. -#}
{% macro default__lake_newest_file_time(path) -%}
    current_timestamp()
{%- endmacro %}

{% macro duckdb__lake_newest_file_time(path) -%}
    {%- set files = path | replace("'", "''") -%}
    (select max(timezone('UTC', lake_files.last_modified)) from read_blob('{{ files }}') as lake_files)
{%- endmacro %}
