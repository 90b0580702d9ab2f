-- One row per game session: who played (player and customer), where (country of the session's first
-- event), when, how long (the session_end payload's duration, else the time between first and last
-- event), levels completed and purchases. A session without a session_end event is not complete.
{%- set count_type = dbt.type_bigint() %}

with

game_events as (
    select * from {{ ref('game_events') }}
    where session_id is not null
),

first_events as (
    select
        session_id,
        country_iso_code,
        row_number() over (partition by session_id order by event_at, event_id) as event_rank
    from game_events
),

sessions as (
    select
        session_id,
        min(player_id) as player_id,
        min(customer_contact_id) as customer_contact_id,
        min(customer_id) as customer_id,
        min(platform) as platform,
        min(game_id) as game_id,
        min(case when event_type = 'session_start' then event_at end) as session_start_at,
        max(case when event_type = 'session_end' then event_at end) as session_end_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        max(session_duration_seconds) as reported_duration_seconds,
        sum(case when event_type = 'level_complete' then 1 else 0 end) as levels_completed,
        sum(case when event_type = 'iap_purchase' then 1 else 0 end) as purchase_count,
        coalesce(sum(case when event_type = 'iap_purchase' then amount_eur end), 0) as revenue_eur,
        count(*) as event_count
    from game_events
    group by session_id
),

final as (
    select
        sessions.session_id,
        sessions.player_id,
        sessions.customer_contact_id,
        sessions.customer_id,
        sessions.platform,
        sessions.game_id,
        first_events.country_iso_code,
        coalesce(sessions.session_start_at, sessions.first_event_at) as session_start_at,
        coalesce(sessions.session_end_at, sessions.last_event_at) as session_end_at,
        cast(coalesce(sessions.session_start_at, sessions.first_event_at) as date) as session_date,
        cast(
            coalesce(
                sessions.reported_duration_seconds,
                {{ dbt.datediff('sessions.first_event_at', 'sessions.last_event_at', 'second') }}
            ) as {{ count_type }}
        ) as session_duration_seconds,
        sessions.session_start_at is not null and sessions.session_end_at is not null as is_complete,
        cast(sessions.levels_completed as {{ count_type }}) as levels_completed,
        cast(sessions.purchase_count as {{ count_type }}) as purchase_count,
        cast(sessions.revenue_eur as decimal(18, 2)) as revenue_eur,
        cast(sessions.event_count as {{ count_type }}) as event_count
    from sessions
    inner join first_events
        on
            sessions.session_id = first_events.session_id
            and first_events.event_rank = 1
)

select * from final
