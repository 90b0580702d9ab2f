-- Daily player activity for BI tools: every column of game_daily_active_players (counts per day, platform,
-- game and country; no player, account or IP address). Columns are listed, so a column added to the mart
-- reaches BI only when added here.
with

daily_active_players as (
    select * from {{ ref('game_daily_active_players') }}
),

final as (
    select
        activity_date,
        platform,
        game_id,
        country_iso_code,
        country_name,
        active_players,
        active_customers,
        sessions_started,
        event_count,
        purchase_count,
        revenue_eur
    from daily_active_players
)

select * from final
