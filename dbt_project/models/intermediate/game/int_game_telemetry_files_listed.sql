{{ config(materialized='view') }}

-- The raw telemetry files as they are when queried: path, size and modification time, from file metadata
-- (see macros/game/telemetry_files.sql). int_game_events_geolocated compares this fingerprint with the
-- one it loaded to find the days that have new raw files.
with

telemetry_files as (
    {{ game_telemetry_files() }}
),

final as (
    select
        source_file,
        source_file_size_bytes,
        source_file_modified_at
    from telemetry_files
)

select * from final
