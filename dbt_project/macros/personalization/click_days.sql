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
    {{ return(c360_days_to_process(ref('stg_web__click_events'), click_day_window, click_changed_days_sql)) }}
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

    changed_partitions as (
        {{ c360_changed_fingerprints_sql('current_files', 'loaded_files', 'partition_date') | indent(4) }}
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


{#- The day window of vars c360_clicks_start_day / c360_clicks_end_day (see c360_day_window), or none. -#}
{% macro click_day_window() -%}
    {{ return(c360_day_window('c360_clicks_start_day', 'c360_clicks_end_day')) }}
{%- endmacro %}
