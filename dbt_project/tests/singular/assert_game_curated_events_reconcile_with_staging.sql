-- Rows in = rows out, per event day: staged game events = located events in the warehouse = rows in the
-- curated Parquet day files, every curated row in the file of its own day and no event twice. Only the
-- days of the c360_game_start_day / _end_day window when one is set (other days may await their run).
-- Returns one row per day whose figures differ.
{%- set window = game_day_window() %}
with

staged as (
    select
        event_date,
        count(*) as row_count
    from {{ ref('stg_game__game_events') }}
    where {{ c360_day_window_condition('event_date', window) }}
    group by event_date
),

located as (
    select
        event_date,
        count(*) as row_count
    from {{ ref('int_game_events_geolocated') }}
    where {{ c360_day_window_condition('event_date', window) }}
    group by event_date
),

curated_rows as (
    {{ read_curated_game_events() }}
),

curated as (
    select
        event_date,
        count(*) as row_count,
        count(distinct event_id) as event_count,
        sum(
            case when {{ dbt.cast('event_date', dbt.type_string()) }} = file_day then 0 else 1 end
        ) as misfiled_count
    from curated_rows
    where {{ c360_day_window_condition('event_date', window) }}
    group by event_date
),

days as (
    select event_date from staged
    union
    select event_date from located
    union
    select event_date from curated
),

compared as (
    select
        days.event_date,
        coalesce(staged.row_count, 0) as staged_rows,
        coalesce(located.row_count, 0) as located_rows,
        coalesce(curated.row_count, 0) as curated_rows,
        coalesce(curated.event_count, 0) as curated_events,
        coalesce(curated.misfiled_count, 0) as misfiled_rows
    from days
    left join staged
        on days.event_date = staged.event_date
    left join located
        on days.event_date = located.event_date
    left join curated
        on days.event_date = curated.event_date
),

final as (
    select * from compared
    where
        staged_rows <> located_rows
        or staged_rows <> curated_rows
        or curated_rows <> curated_events
        or misfiled_rows > 0
)

select * from final
