{{ config(materialized='view') }}

-- The raw clickstream partition files as they are when queried: path, partition day, size and
-- modification time, from file metadata (see macros/personalization/click_files.sql).
-- clicks_by_customer_product_offer compares this fingerprint with the one it loaded to find new days.
with

click_files as (
    {{ clickstream_files() }}
),

final as (
    select
        source_file,
        partition_date,
        source_file_size_bytes,
        source_file_modified_at
    from click_files
)

select * from final
