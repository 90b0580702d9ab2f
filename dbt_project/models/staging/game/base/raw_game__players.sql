{{ config(materialized='view') }}

-- The lake file as read: one row per physical line (see macros/lake/read_lake_source.sql).
{{ read_lake_source('game', 'players') }}
