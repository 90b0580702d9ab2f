-- One row per game event, located by its client IP and linked to the unified customer. A view: the
-- customer link is resolved when queried, so it follows identity rebuilds without rewriting event days.
with

events as (
    select * from {{ ref('int_game_events_geolocated') }}
),

game_accounts as (
    select * from {{ ref('int_game_accounts_resolved') }}
),

final as (
    select
        events.event_id,
        events.event_type,
        events.event_at,
        events.event_date,
        events.player_id,
        events.customer_contact_id,
        game_accounts.customer_id,
        coalesce(game_accounts.customer_resolution, 'unknown_contact') as customer_resolution,
        events.session_id,
        events.platform,
        events.game_id,
        events.ip_address,
        events.geo_resolution,
        events.network,
        events.country_iso_code,
        events.country_name,
        events.region_name,
        events.city_name,
        events.latitude,
        events.longitude,
        events.level_number,
        events.session_duration_seconds,
        events.item_id,
        events.amount,
        events.currency_code,
        events.amount_eur,
        events.source_system,
        events.source_record_id,
        events.source_file
    from events
    left join game_accounts
        on events.customer_contact_id = game_accounts.customer_contact_id
)

select * from final
