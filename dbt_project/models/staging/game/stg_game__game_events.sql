{{ config(materialized='view') }}

-- A view over the incremental base model: the accepted rows, without a second copy to keep in step.
with

telemetry as (
    select * from {{ ref('base_game__telemetry') }}
    where rejection_code is null
),

final as (
    select
        event_id,
        'game' as source_system,
        event_id as source_record_id,
        event_type,
        event_at,
        cast(event_at as date) as event_date,
        player_id,
        {{ dbt.concat(["'game:'", 'player_id']) }} as customer_contact_id,
        session_id,
        platform,
        game_id,
        ip_address,
        level_number,
        session_duration_seconds,
        item_id,
        amount,
        currency_code,
        amount_eur,
        source_file
    from telemetry
)

select * from final
