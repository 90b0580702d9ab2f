{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    file_format='delta',
    partition_by=['event_date'],
    pre_hook="{{ c360_delete_days(click_days_to_process, 'clicks_by_customer_product_offer') }}",
) }}

-- Web clicks per day, customer, product and offer: every staged click counted once, attributed to its
-- customer as int_click_events_resolved says (logged in, or through its cookie once that cookie has logged
-- in); clicks without a customer count under customer_id NULL. Incremental by event day (the clickstream
-- partition): a run rebuilds only the days with new, changed or deleted partition files, the days of
-- cookies those files re-attribute, or the days of the c360_clicks_start_day / c360_clicks_end_day window
-- (macros/personalization/click_days.sql): the pre-hook deletes them, this query inserts them again.
-- depends_on: {{ ref('stg_web__click_events') }}
-- depends_on: {{ ref('int_web_cookies_identified') }}
{%- set days = click_days_to_process() %}
with

click_events as (
    select * from {{ ref('int_click_events_resolved') }}
    where {{ c360_days_condition('event_date', days) }}
),

click_files as (
    select * from {{ ref('int_click_files_listed') }}
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

offers as (
    select * from {{ ref('stg_marketing__offers') }}
),

aggregated as (
    select
        event_date,
        customer_id,
        product_id,
        offer_id,
        count(*) as click_count,
        sum(case when event_type = 'page_view' then 1 else 0 end) as page_view_count,
        sum(case when event_type = 'product_view' then 1 else 0 end) as product_view_count,
        sum(case when event_type = 'add_to_cart' then 1 else 0 end) as add_to_cart_count,
        sum(case when event_type = 'purchase' then 1 else 0 end) as purchase_click_count,
        sum(case when event_type = 'offer_impression' then 1 else 0 end) as offer_impression_count,
        sum(case when event_type = 'offer_click' then 1 else 0 end) as offer_click_count,
        sum(case when customer_resolution = 'logged_in' then 1 else 0 end) as logged_in_click_count,
        sum(case when customer_resolution = 'cookie_linked' then 1 else 0 end) as cookie_linked_click_count,
        count(distinct cookie_id) as cookie_count
    from click_events
    group by event_date, customer_id, product_id, offer_id
),

final as (
    select
        aggregated.event_date,
        aggregated.customer_id,
        aggregated.product_id,
        aggregated.offer_id,
        cast(coalesce(products.category, offers.product_category) as {{ dbt.type_string() }}) as product_category,
        cast(aggregated.click_count as {{ dbt.type_bigint() }}) as click_count,
        cast(aggregated.page_view_count as {{ dbt.type_bigint() }}) as page_view_count,
        cast(aggregated.product_view_count as {{ dbt.type_bigint() }}) as product_view_count,
        cast(aggregated.add_to_cart_count as {{ dbt.type_bigint() }}) as add_to_cart_count,
        cast(aggregated.purchase_click_count as {{ dbt.type_bigint() }}) as purchase_click_count,
        cast(aggregated.offer_impression_count as {{ dbt.type_bigint() }}) as offer_impression_count,
        cast(aggregated.offer_click_count as {{ dbt.type_bigint() }}) as offer_click_count,
        cast(aggregated.logged_in_click_count as {{ dbt.type_bigint() }}) as logged_in_click_count,
        cast(aggregated.cookie_linked_click_count as {{ dbt.type_bigint() }}) as cookie_linked_click_count,
        cast(aggregated.cookie_count as {{ dbt.type_bigint() }}) as cookie_count,
        click_files.source_file as partition_file,
        click_files.source_file_size_bytes as partition_file_size_bytes,
        click_files.source_file_modified_at as partition_file_modified_at,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as dbt_invocation_id,
        cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}) as loaded_at
    from aggregated
    left join products
        on aggregated.product_id = products.product_id
    left join offers
        on aggregated.offer_id = offers.offer_id
    left join click_files
        on aggregated.event_date = click_files.partition_date
)

select * from final
