{{ config(materialized='view') }}

-- The lake files as read (see macros/lake/read_lake_source.sql).
{{ read_lake_source('pos', 'transactions') }}
