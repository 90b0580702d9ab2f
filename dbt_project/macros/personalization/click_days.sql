{#-
    Which event days a run of clicks_by_customer_product_offer (re)builds; see its docs.

    Returns none for "every day" (a first build or --full-refresh without a day window), else a sorted
    list of 'YYYY-MM-DD' strings, possibly empty (nothing changed). A day is rebuilt when
      - its clickstream partition file (dt=YYYY-MM-DD) is new, changed (size or modification time differs
        from the fingerprint stored on the day's rows) or gone, or a changed file holds clicks of it;
      - it holds clicks of a cookie whose customer may have changed with those files: a cookie first
        identified (first logged-in click) on a changed day, or a shared cookie with a logged-in click
        there (its earlier anonymous clicks now belong to a customer, or to another one); or
      - it lies in the window c360_clicks_start_day .. c360_clicks_end_day (inclusive) when one is set:
        an explicit backfill rebuilds every day in it with clicks, staged or loaded, and none outside it.
    Deterministic for a given state, so the model body and its pre-hook compute the same list.
-#}
{% macro click_days_to_process() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set window = click_day_window() -%}
    {%- set staged = ref('stg_web__click_events') -%}
    {%- if not is_incremental() and window is none -%}
        {{ return(none) }}
    {%- elif not is_incremental() -%}
        {%- set days_sql = click_window_days_sql(staged, none, window) -%}
    {%- elif window is not none -%}
        {%- set days_sql = click_window_days_sql(staged, this, window) -%}
    {%- else -%}
        {%- set days_sql = click_changed_days_sql(staged, this) -%}
    {%- endif -%}
    {%- set result = run_query(days_sql) -%}
    {{ return(result.columns[0].values() | reject('none') | map('string') | sort | list) }}
{%- endmacro %}


{#- Days of the window that have clicks: staged, or (loaded not none) already loaded. -#}
{% macro click_window_days_sql(staged, loaded, window) -%}
    select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
    from {{ staged }}
    where {{ click_day_window_condition('event_date', window) }}
    {% if loaded is not none -%}
        union
        select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
        from {{ loaded }}
        where {{ click_day_window_condition('event_date', window) }}
    {%- endif %}
{%- endmacro %}


{#- Days touched by partition files whose fingerprint differs from the loaded one, and by re-attributed cookies. -#}
{% macro click_changed_days_sql(staged, loaded) -%}
    with

    current_files as (
        select
            partition_date,
            source_file_size_bytes,
            source_file_modified_at
        from {{ ref('int_click_files_listed') }}
    ),

    loaded_files as (
        select distinct
            event_date as partition_date,
            partition_file_size_bytes as source_file_size_bytes,
            partition_file_modified_at as source_file_modified_at
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

    changed_partitions as (
        select partition_date from new_or_changed
        union
        select partition_date from changed_or_gone
    ),

    changed_files as (
        select listed.source_file
        from {{ ref('int_click_files_listed') }} as listed
        inner join changed_partitions
            on listed.partition_date = changed_partitions.partition_date
    ),

    file_days as (
        select partition_date as event_date from changed_partitions
        union
        select staged.event_date
        from {{ staged }} as staged
        inner join changed_files
            on staged.source_file = changed_files.source_file
    ),

    logged_in_on_changed_days as (
        select distinct staged.cookie_id
        from {{ staged }} as staged
        inner join file_days
            on staged.event_date = file_days.event_date
        where staged.customer_contact_id is not null
    ),

    reattributed_cookies as (
        select cookies.cookie_id
        from {{ ref('int_web_cookies_identified') }} as cookies
        inner join logged_in_on_changed_days
            on cookies.cookie_id = logged_in_on_changed_days.cookie_id
        inner join file_days
            on cast(cookies.identified_at as date) = file_days.event_date
        union
        select cookies.cookie_id
        from {{ ref('int_web_cookies_identified') }} as cookies
        inner join logged_in_on_changed_days
            on cookies.cookie_id = logged_in_on_changed_days.cookie_id
        where cookies.is_shared_cookie
    ),

    cookie_days as (
        select distinct staged.event_date
        from {{ staged }} as staged
        inner join reattributed_cookies
            on staged.cookie_id = reattributed_cookies.cookie_id
    ),

    changed_days as (
        select event_date from file_days
        union
        select event_date from cookie_days
    )

    select distinct {{ dbt.cast('event_date', dbt.type_string()) }} as event_day
    from changed_days
    where event_date is not null
{%- endmacro %}


{#- The day window from the vars, as {'start': 'YYYY-MM-DD', 'end': 'YYYY-MM-DD'}, or none. -#}
{% macro click_day_window() -%}
    {%- set start_day = var('c360_clicks_start_day', none) -%}
    {%- set end_day = var('c360_clicks_end_day', none) -%}
    {%- if start_day is none and end_day is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start_day = (start_day or end_day) | string -%}
    {%- set end_day = (end_day or start_day) | string -%}
    {%- for day in [start_day, end_day] -%}
        {%- if not c360_is_iso_date(day) -%}
            {{ exceptions.raise_compiler_error(
                "c360_clicks_start_day / c360_clicks_end_day must be dates YYYY-MM-DD, got '" ~ day ~ "'"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if start_day > end_day -%}
        {{ exceptions.raise_compiler_error(
            "c360_clicks_start_day (" ~ start_day ~ ") is after c360_clicks_end_day (" ~ end_day ~ ")"
        ) }}
    {%- endif -%}
    {{ return({'start': start_day, 'end': end_day}) }}
{%- endmacro %}


{% macro click_day_window_condition(column, window) -%}
    {%- if window is none -%}
        1 = 1
    {%- else -%}
        {{ column }} between cast('{{ window.start }}' as date) and cast('{{ window.end }}' as date)
    {%- endif -%}
{%- endmacro %}


{#- SQL condition: column is one of the days (none = every day, [] = no day). -#}
{% macro click_days_condition(column, days) -%}
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


{#- Pre-hook of clicks_by_customer_product_offer: remove the days this run rebuilds (incremental runs only). -#}
{% macro clicks_delete_days() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set days = click_days_to_process() -%}
    {%- do log('clicks_by_customer_product_offer: rebuilding ' ~ (days | length if days is not none else 'all')
        ~ ' day(s)', info=true) -%}
    {%- if days is not none and days | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    delete from {{ this }} where {{ click_days_condition('event_date', days) }}
{%- endmacro %}
