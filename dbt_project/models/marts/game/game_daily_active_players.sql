-- Daily active players per event day, platform, game and country (of the client IP; ZZ = unknown), with
-- sessions started, events and in-game revenue. Distinct counts do not add up across rows: a player
-- active on two platforms that day counts once in each.
{%- set count_type = dbt.type_bigint() %}

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
        cast(count(distinct player_id) as {{ count_type }}) as active_players,
        cast(count(distinct customer_id) as {{ count_type }}) as active_customers,
        cast(
            count(distinct case when event_type = 'session_start' then session_id end) as {{ count_type }}
        ) as sessions_started,
        cast(count(*) as {{ count_type }}) as event_count,
        cast(sum(case when event_type = 'iap_purchase' then 1 else 0 end) as {{ count_type }}) as purchase_count,
        cast(
            coalesce(sum(case when event_type = 'iap_purchase' then amount_eur end), 0) as decimal(18, 2)
        ) as revenue_eur
    from game_events
    group by event_date, platform, game_id, country_iso_code
)

select * from final
