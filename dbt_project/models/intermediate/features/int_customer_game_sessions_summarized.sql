-- Game engagement of each customer at each feature date of int_feature_dates_listed: the telemetry of the
-- customer's game accounts (stg_game__game_events joined through int_game_accounts_resolved) dated strictly
-- before it, over the last N days (days 1-N before the date): distinct sessions with any event, and play
-- time from the durations of session_end events. One row per customer and date with at least one such
-- event; customer_features_history fills the others.
{%- set windows = c360_feature_windows_days() %}
{%- set count_type = dbt.type_bigint() %}

with

game_events as (
    select * from {{ ref('stg_game__game_events') }}
),

game_accounts as (
    select * from {{ ref('int_game_accounts_resolved') }}
),

feature_dates as (
    select * from {{ ref('int_feature_dates_listed') }}
),

-- Game telemetry of the customers' game accounts (every date).
customer_game_events as (
    select
        game_accounts.customer_id,
        game_events.event_type,
        game_events.event_date,
        game_events.session_id,
        game_events.session_duration_seconds
    from game_events
    inner join game_accounts
        on game_events.customer_contact_id = game_accounts.customer_contact_id
    where game_accounts.customer_id is not null
),

-- Each event before each feature date, with its age in days at that date (1 = the day before).
game_activity as (
    select
        customer_game_events.customer_id,
        feature_dates.as_of_date,
        customer_game_events.event_type,
        customer_game_events.session_id,
        customer_game_events.session_duration_seconds,
        {{ days_before('customer_game_events.event_date', 'feature_dates.as_of_date') }} as days_ago
    from customer_game_events
    inner join feature_dates
        on customer_game_events.event_date < feature_dates.as_of_date
),

final as (
    select
        customer_id,
        as_of_date,
        {%- for window in windows %}
            cast(
                count(distinct case when days_ago <= {{ window }} then session_id end) as {{ count_type }}
            ) as game_sessions_{{ window }}d,
            cast(
                sum(
                    case
                        when days_ago <= {{ window }} and event_type = 'session_end'
                            then coalesce(session_duration_seconds, 0)
                        else 0
                    end
                ) as {{ count_type }}
            ) as game_play_seconds_{{ window }}d,
        {%- endfor %}
        min(days_ago) as days_since_last_game_event
    from game_activity
    group by customer_id, as_of_date
)

select * from final
