-- Every staged web click with its customer: the logged-in account's customer when the click carries one,
-- else the customer its cookie was identified as (int_web_cookies_identified; clicks before and after
-- the login both count, the cookie is one browser; so does a click whose account is unknown).
-- customer_resolution says which way, or why none: anonymous (the cookie never logged in) or
-- unknown_contact (an account id that is not a staged contact, e.g. a quarantined shop account, on a
-- cookie that never logged in otherwise). One row per staged click.
with

click_events as (
    select * from {{ ref('stg_web__click_events') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

cookies as (
    select * from {{ ref('int_web_cookies_identified') }}
),

final as (
    select
        click_events.event_id,
        click_events.event_type,
        click_events.event_at,
        click_events.event_date,
        click_events.cookie_id,
        click_events.customer_contact_id,
        coalesce(identity_map.customer_id, cookies.customer_id) as customer_id,
        case
            when identity_map.customer_id is not null then 'logged_in'
            when cookies.customer_id is not null then 'cookie_linked'
            when click_events.customer_contact_id is not null then 'unknown_contact'
            else 'anonymous'
        end as customer_resolution,
        click_events.product_id,
        click_events.offer_id,
        click_events.sales_order_id,
        click_events.page_url,
        click_events.utm_campaign,
        click_events.utm_source,
        click_events.utm_medium
    from click_events
    left join identity_map
        on click_events.customer_contact_id = identity_map.contact_id
    left join cookies
        on click_events.cookie_id = cookies.cookie_id
)

select * from final
