-- Web cookies tied to a customer: a cookie is identified once it carries a logged-in shop account on any
-- click; its customer is the one of that account in customer_identity_map. A cookie seen with several
-- customers (a shared computer) goes to the customer with the most logged-in clicks, then the earliest.
-- Cookies that never logged in are not here (their clicks stay anonymous).
with

click_events as (
    select * from {{ ref('stg_web__click_events') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

logged_in_clicks as (
    select
        click_events.cookie_id,
        identity_map.customer_id,
        count(*) as logged_in_click_count,
        min(click_events.event_at) as first_logged_in_at
    from click_events
    inner join identity_map
        on click_events.customer_contact_id = identity_map.contact_id
    where click_events.cookie_id is not null
    group by click_events.cookie_id, identity_map.customer_id
),

ranked as (
    select
        *,
        count(*) over (partition by cookie_id) as customers_seen,
        row_number() over (
            partition by cookie_id order by logged_in_click_count desc, first_logged_in_at asc, customer_id asc
        ) as customer_rank
    from logged_in_clicks
),

final as (
    select
        cookie_id,
        customer_id,
        first_logged_in_at as identified_at,
        logged_in_click_count,
        customers_seen,
        customers_seen > 1 as is_shared_cookie
    from ranked
    where customer_rank = 1
)

select * from final
