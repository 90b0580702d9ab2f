-- Daily active players per event day, platform, game and country (of the client IP; ZZ = unknown), with
-- sessions started, events and in-game revenue. Distinct counts do not add up across rows: a player
-- active on two platforms that day counts once in each.
with

game_events as (
    select * from {{ ref('game_events') }}
),

final as (
    select
        event_date as activity_date,
        platform,
        game_id,
        country_iso_code,
        max(country_name) as country_name,
        count(distinct player_id) as active_players,
        count(distinct customer_id) as active_customers,
        count(distinct case when event_type = 'session_start' then session_id end) as sessions_started,
        count(*) as event_count,
        sum(case when event_type = 'iap_purchase' then 1 else 0 end) as purchase_count,
        coalesce(sum(case when event_type = 'iap_purchase' then amount_eur end), 0) as revenue_eur
    from game_events
    group by event_date, platform, game_id, country_iso_code
)

select * from final
