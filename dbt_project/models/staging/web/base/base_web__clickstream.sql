{%- set lookups = [
    {'model': 'base_reference__products', 'columns': ['source_record_id']},
    {'model': 'base_marketing__offers', 'columns': ['source_record_id']},
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ lake_files_delete_reparsed('web', 'clickstream', " ~ (lookups | tojson) ~ ") }}",
) }}
{%- set plan = lake_files_to_parse('web', 'clickstream', lookups) %}

-- Every line of the clickstream files, parsed and checked; rejection_reason is NULL for rows staged.
-- Events are behaviour, not records of a customer: the account id is not checked against the shop's
-- account file (master files lose records to broken lines; an unmatched account is the identity
-- layer's business), and sku / offer are checked against every id delivered in their lake files.
-- Incremental by raw file: a run parses only new and changed files (and the files after the first of
-- them), see macros/lake/lake_incremental.sql; --full-refresh parses every file.
with

{{ lake_incremental_ctes('web', 'clickstream', 'event_id', plan, lookups) }},

delivered_products as (
    select distinct source_record_id as product_id from {{ ref('base_reference__products') }}
    where source_record_id is not null
),

products_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__products') }}
),

delivered_offers as (
    select distinct source_record_id as offer_id from {{ ref('base_marketing__offers') }}
    where source_record_id is not null
),

offers_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_marketing__offers') }}
),

json_lines as (
    {{ parse_json_lines('raw_lines') }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        {{ clean_text(json_text('json_record', '$.event_id')) }} as event_id,
        {{ clean_text(json_text('json_record', '$.ts')) }} as event_at_text,
        {{ clean_text(json_text('json_record', '$.type')) }} as event_type,
        {{ clean_text(json_text('json_record', '$.cookie_id')) }} as cookie_id,
        {{ clean_text(json_text('json_record', '$.account_id')) }} as shop_account_id,
        {{ clean_text(json_text('json_record', '$.ip')) }} as ip_address,
        {{ clean_text(json_text('json_record', '$.ua')) }} as user_agent,
        {{ clean_text(json_text('json_record', '$.url')) }} as page_url,
        {{ clean_text(json_text('json_record', '$.sku')) }} as product_id,
        {{ clean_text(json_text('json_record', '$.offer_id')) }} as offer_id,
        {{ clean_text(json_text('json_record', '$.order_id')) }} as shop_order_id,
        {{ clean_text(json_text('json_record', '$.utm.campaign')) }} as utm_campaign,
        {{ clean_text(json_text('json_record', '$.utm.source')) }} as utm_source,
        {{ clean_text(json_text('json_record', '$.utm.medium')) }} as utm_medium
    from json_lines
),

typed as (
    select
        *,
        {{ parse_timestamp_utc('event_at_text', 'ISO8601') }} as event_at,
        {{ ipv4_to_bigint('ip_address') }} as ip_number
    from parsed
),

keyed as (
    {{ lake_keyed_rows('typed', 'event_id') }}
),

checked as (
    select
        keyed.*,
        case when keyed.event_id is null then 'missing_key: event_id is null or absent' end as check_missing_key,
        case
            when keyed.event_id is not null and keyed.key_occurrence > 1
                then 'duplicate_record: event_id already seen in an earlier line'
        end as check_duplicate,
        case
            when keyed.event_at is null then 'bad_date: ts is not an ISO-8601 UTC timestamp'
        end as check_event_at,
        case
            when
                keyed.event_type is null
                or keyed.event_type not in (
                    'page_view', 'product_view', 'offer_impression', 'offer_click', 'add_to_cart', 'purchase'
                )
                then 'bad_value: type is not a known event type'
        end as check_event_type,
        case when keyed.cookie_id is null then 'bad_value: cookie_id is null or absent' end as check_cookie,
        case
            when keyed.ip_address is not null and keyed.ip_number is null
                then 'bad_value: ip is not an IPv4 address'
        end as check_ip,
        case
            when
                keyed.product_id is not null
                and products_delivered.is_delivered
                and delivered_products.product_id is null
                then 'unknown_sku: sku is not in reference/products.csv'
        end as check_product,
        case
            when
                keyed.offer_id is not null
                and offers_delivered.is_delivered
                and delivered_offers.offer_id is null
                then 'unknown_offer: offer_id is not in marketing/offers.csv'
        end as check_offer
    from keyed
    cross join products_delivered
    cross join offers_delivered
    left join delivered_products
        on keyed.product_id = delivered_products.product_id
    left join delivered_offers
        on keyed.offer_id = delivered_offers.offer_id
),

staged_rows as (
    select
        source_file,
        line_number,
        {{ row_key('event_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_event_at', 'check_event_type', 'check_cookie',
            'check_ip', 'check_product', 'check_offer',
        ]) }},
        event_id,
        event_type,
        event_at,
        cookie_id,
        shop_account_id,
        ip_address,
        user_agent,
        page_url,
        product_id,
        offer_id,
        shop_order_id,
        utm_campaign,
        utm_source,
        utm_medium
    from checked
),

final as (
    -- The file fingerprint and line count kept with the rows: the incremental state (lake_incremental.sql).
    {{ lake_incremental_state('staged_rows') | indent(4) }}
)

select * from final
