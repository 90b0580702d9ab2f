-- Every game account (player id) seen in the player master or in telemetry, with its customer. Telemetry
-- events join here by customer_contact_id (`game:<player_id>`) instead of copying the event table.
-- customer_resolution: resolved, or unknown_contact for players only telemetry knows (e.g. a player row
-- that was quarantined).
with

game_contacts as (
    select * from {{ ref('stg_game__contacts') }}
),

game_events as (
    select * from {{ ref('stg_game__game_events') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

event_players as (
    select
        customer_contact_id,
        player_id,
        count(*) as event_count,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at
    from game_events
    group by customer_contact_id, player_id
),

accounts as (
    select
        contact_id as customer_contact_id,
        source_record_id as player_id
    from game_contacts

    union

    select
        customer_contact_id,
        player_id
    from event_players
),

final as (
    select
        accounts.customer_contact_id,
        accounts.player_id,
        identity_map.customer_id,
        case when identity_map.customer_id is null then 'unknown_contact' else 'resolved' end as customer_resolution,
        coalesce(event_players.event_count, 0) as event_count,
        event_players.first_event_at,
        event_players.last_event_at
    from accounts
    left join identity_map
        on accounts.customer_contact_id = identity_map.contact_id
    left join event_players
        on accounts.customer_contact_id = event_players.customer_contact_id
)

select * from final
