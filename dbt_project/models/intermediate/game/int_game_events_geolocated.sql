{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    file_format='delta',
    partition_by=['event_date'],
    pre_hook="{{ c360_delete_days(game_days_to_process) }}",
    post_hook={'sql': "{{ write_curated_game_events() }}", 'transaction': false},
) }}

-- Every staged game event with the location of its client IP and the fingerprint of the raw file it
-- came from; the warehouse copy of the curated Parquet days. Incremental by event day: a run rebuilds
-- only the days that have new, changed or deleted raw files, or the days of the c360_game_start_day /
-- c360_game_end_day window (macros/game/telemetry_days.sql): the pre-hook deletes those days, this query
-- inserts them again, the post-hook rewrites their Parquet files. Rerunning a day replaces it exactly.
{%- set days = game_days_to_process() %}
with

game_events as (
    select * from {{ ref('stg_game__game_events') }}
    where {{ c360_days_condition('event_date', days) }}
),

telemetry_files as (
    select * from {{ ref('int_game_telemetry_files_listed') }}
),

geo_networks as (
    select * from {{ ref('int_geo_networks_bucketed') }}
),

numbered as (
    select
        *,
        {{ ipv4_to_bigint('ip_address') }} as ip_number
    from game_events
),

bucketed as (
    select
        *,
        {{ ip_bucket('ip_number') }} as ip_bucket
    from numbered
),

-- The range join: equal /16 bucket, then the address inside the network's integer bounds.
geolocated as (
    select
        bucketed.*,
        geo_networks.network,
        geo_networks.geoname_id,
        geo_networks.country_iso_code,
        geo_networks.country_name,
        geo_networks.region_name,
        geo_networks.city_name,
        geo_networks.latitude,
        geo_networks.longitude,
        geo_networks.accuracy_radius_km
    from bucketed
    left join geo_networks
        on
            bucketed.ip_bucket = geo_networks.ip_bucket
            and bucketed.ip_number between geo_networks.network_start_ip and geo_networks.network_end_ip
),

final as (
    select
        geolocated.event_id,
        geolocated.source_system,
        geolocated.source_record_id,
        geolocated.event_type,
        geolocated.event_at,
        geolocated.event_date,
        geolocated.player_id,
        geolocated.customer_contact_id,
        geolocated.session_id,
        geolocated.platform,
        geolocated.game_id,
        geolocated.ip_address,
        geolocated.ip_number,
        case
            when geolocated.ip_number is null then 'missing_ip'
            when geolocated.network is null then 'unknown_network'
            else 'resolved'
        end as geo_resolution,
        geolocated.network,
        geolocated.geoname_id,
        coalesce(geolocated.country_iso_code, 'ZZ') as country_iso_code,
        coalesce(geolocated.country_name, 'Unknown') as country_name,
        geolocated.region_name,
        geolocated.city_name,
        geolocated.latitude,
        geolocated.longitude,
        geolocated.accuracy_radius_km,
        geolocated.level_number,
        geolocated.session_duration_seconds,
        geolocated.item_id,
        geolocated.amount,
        geolocated.currency_code,
        geolocated.amount_eur,
        geolocated.source_file,
        telemetry_files.source_file_size_bytes,
        telemetry_files.source_file_modified_at,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as dbt_invocation_id,
        {{ dbt.current_timestamp() }} as loaded_at
    from geolocated
    left join telemetry_files
        on geolocated.source_file = telemetry_files.source_file
)

select * from final
