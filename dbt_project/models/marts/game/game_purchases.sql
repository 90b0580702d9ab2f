-- One row per in-game purchase (iap_purchase event): item, amount in the purchase currency and in EUR,
-- the buyer's customer, platform, game and country.
with

game_events as (
    select * from {{ ref('game_events') }}
    where event_type = 'iap_purchase'
),

final as (
    select
        event_id as purchase_id,
        event_at as purchased_at,
        event_date as purchase_date,
        player_id,
        customer_contact_id,
        customer_id,
        customer_resolution,
        session_id,
        platform,
        game_id,
        country_iso_code,
        item_id,
        amount,
        currency_code,
        amount_eur
    from game_events
)

select * from final
