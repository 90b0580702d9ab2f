{#-
    The raw telemetry files as they are now: source_file (path under the lake root, as staging writes it),
    source_file_size_bytes and source_file_modified_at (see macros/lake/lake_files.sql). Name, size and
    modification time are the fingerprint int_game_events_geolocated compares with the files it has loaded,
    to find the days that have new or changed raw files. Reads file metadata only, never the content.
-#}
{% macro game_telemetry_files() -%}
    {{ return(lake_files('game', 'telemetry')) }}
{%- endmacro %}
