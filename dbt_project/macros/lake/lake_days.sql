{#-
    Day-incremental models: a run rebuilds only some event days of a table partitioned by event_date
    (int_game_events_geolocated, clicks_by_customer_product_offer). Each domain says which days changed
    (macros/game/telemetry_days.sql, macros/personalization/click_days.sql); these macros are the rest:
    the day window of a backfill, the choice between window, changed days and every day, the conditions,
    and the pre-hook that deletes the days a run inserts again.
-#}

{#-
    The day window set by two vars (inclusive, 'YYYY-MM-DD'; one alone means that single day), as
    {'start': 'YYYY-MM-DD', 'end': 'YYYY-MM-DD'}, or none when neither is set. A compiler error names the
    vars when a day is not a date or the window ends before it starts.
-#}
{% macro c360_day_window(start_var, end_var) -%}
    {%- set start_day = var(start_var, none) -%}
    {%- set end_day = var(end_var, none) -%}
    {%- if start_day is none and end_day is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start_day = (start_day or end_day) | string -%}
    {%- set end_day = (end_day or start_day) | string -%}
    {%- for day in [start_day, end_day] -%}
        {%- if not c360_is_iso_date(day) -%}
            {{ exceptions.raise_compiler_error(
                start_var ~ " / " ~ end_var ~ " must be dates YYYY-MM-DD, got '" ~ day ~ "'"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if start_day > end_day -%}
        {{ exceptions.raise_compiler_error(
            start_var ~ " (" ~ start_day ~ ") is after " ~ end_var ~ " (" ~ end_day ~ ")"
        ) }}
    {%- endif -%}
    {{ return({'start': start_day, 'end': end_day}) }}
{%- endmacro %}


{#- SQL condition: column lies in the window (none = every day). -#}
{% macro c360_day_window_condition(column, window) -%}
    {%- if window is none -%}
        1 = 1
    {%- else -%}
        {{ column }} between cast('{{ window.start }}' as date) and cast('{{ window.end }}' as date)
    {%- endif -%}
{%- endmacro %}


{#- SQL condition: column is one of the days (none = every day, [] = no day). -#}
{% macro c360_days_condition(column, days) -%}
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


{#-
    The event days a run of the current day-incremental model rebuilds. Returns none for "every day" (a
    first build or --full-refresh without a day window), else a sorted list of 'YYYY-MM-DD' strings,
    possibly empty (nothing changed):
      - with a window (day_window(), see c360_day_window): every day in it with rows in staged, or
        already loaded in {{ this }};
      - else, in an incremental run: the days changed_days_sql(staged, this) selects (one column).
    staged is the relation holding the staged rows (column event_date); day_window and changed_days_sql
    are the domain's macros themselves, called at execution time only. Deterministic for a given state,
    so the model body and its pre-hook compute the same list.
-#}
{% macro c360_days_to_process(staged, day_window, changed_days_sql) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set window = day_window() -%}
    {%- if not is_incremental() and window is none -%}
        {{ return(none) }}
    {%- elif not is_incremental() -%}
        {%- set days_sql = c360_window_days_sql(staged, none, window) -%}
    {%- elif window is not none -%}
        {%- set days_sql = c360_window_days_sql(staged, this, window) -%}
    {%- else -%}
        {%- set days_sql = changed_days_sql(staged, this) -%}
    {%- endif -%}
    {%- set result = run_query(days_sql) -%}
    {{ return(result.columns[0].values() | reject('none') | map('string') | sort | list) }}
{%- endmacro %}


{#- Days of the window that have rows: staged, or (loaded not none) already loaded. -#}
{% macro c360_window_days_sql(staged, loaded, window) -%}
    select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
    from {{ staged }}
    where {{ c360_day_window_condition('event_date', window) }}
    {% if loaded is not none -%}
        union
        select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
        from {{ loaded }}
        where {{ c360_day_window_condition('event_date', window) }}
    {%- endif %}
{%- endmacro %}


{#-
    The keys whose file fingerprint differs between current_files and loaded_files (two CTEs or relations
    with the same columns, key first): new, changed or gone, as one select of key_column.
-#}
{% macro c360_changed_fingerprints_sql(current_files, loaded_files, key_column) -%}
    {{ c360_fingerprints_missing_sql(current_files, loaded_files, key_column, 'new_or_changed') }}
    union
    {{ c360_fingerprints_missing_sql(loaded_files, current_files, key_column, 'changed_or_gone') }}
{%- endmacro %}


{#- The keys of the fingerprints in files that other_files lacks, as one select of key_column. -#}
{% macro c360_fingerprints_missing_sql(files, other_files, key_column, alias) -%}
    select {{ alias }}.{{ key_column }}
    from (
        select * from {{ files }}
        except
        select * from {{ other_files }}
    ) as {{ alias }}
{%- endmacro %}


{#-
    Pre-hook of a day-incremental model: delete the event days this run rebuilds (incremental runs only).
    days_to_process is the domain's macro itself (e.g. game_days_to_process), called only in incremental
    runs; with log_label set, the number of days is logged under that name.
-#}
{% macro c360_delete_days(days_to_process, log_label=none) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set days = days_to_process() -%}
    {%- if log_label is not none -%}
        {%- do log(log_label ~ ': rebuilding ' ~ (days | length if days is not none else 'all') ~ ' day(s)',
            info=true) -%}
    {%- endif -%}
    {%- if days is not none and days | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ this }} where {{ c360_days_condition('event_date', days) }}
{%- endmacro %}
