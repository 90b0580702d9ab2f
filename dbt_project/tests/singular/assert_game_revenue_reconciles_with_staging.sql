-- Accounting identities of the game marts against staging: events keep their count through location
-- and the customer link, in-game purchases and their EUR revenue are the same in staging, game_purchases,
-- game_daily_active_players and game_sessions, and every staged session is one game_sessions row.
-- Returns one row per figure that differs.
with

staged_events as (
    select * from {{ ref('stg_game__game_events') }}
),

staged as (
    select
        count(*) as event_count,
        sum(case when event_type = 'iap_purchase' then 1 else 0 end) as purchase_count,
        coalesce(sum(case when event_type = 'iap_purchase' then amount_eur end), 0) as revenue_eur,
        count(distinct session_id) as session_count,
        coalesce(
            sum(case when event_type = 'iap_purchase' and session_id is not null then amount_eur end), 0
        ) as session_revenue_eur
    from staged_events
),

comparisons as (
    select
        'game_events rows' as figure,
        (select event_count from staged) as staged_value,
        (select count(*) from {{ ref('game_events') }}) as mart_value

    union all

    select
        'game_purchases rows' as figure,
        (select purchase_count from staged) as staged_value,
        (select count(*) from {{ ref('game_purchases') }}) as mart_value

    union all

    select
        'game_purchases revenue_eur' as figure,
        (select revenue_eur from staged) as staged_value,
        (select coalesce(sum(amount_eur), 0) from {{ ref('game_purchases') }}) as mart_value

    union all

    select
        'game_daily_active_players event_count' as figure,
        (select event_count from staged) as staged_value,
        (select coalesce(sum(event_count), 0) from {{ ref('game_daily_active_players') }}) as mart_value

    union all

    select
        'game_daily_active_players purchase_count' as figure,
        (select purchase_count from staged) as staged_value,
        (select coalesce(sum(purchase_count), 0) from {{ ref('game_daily_active_players') }}) as mart_value

    union all

    select
        'game_daily_active_players revenue_eur' as figure,
        (select revenue_eur from staged) as staged_value,
        (select coalesce(sum(revenue_eur), 0) from {{ ref('game_daily_active_players') }}) as mart_value

    union all

    select
        'game_sessions rows' as figure,
        (select session_count from staged) as staged_value,
        (select count(*) from {{ ref('game_sessions') }}) as mart_value

    union all

    select
        'game_sessions revenue_eur' as figure,
        (select session_revenue_eur from staged) as staged_value,
        (select coalesce(sum(revenue_eur), 0) from {{ ref('game_sessions') }}) as mart_value
),

final as (
    select * from comparisons
    where abs(staged_value - mart_value) > 0.005
)

select * from final
