-- Identity evidence from behaviour: a game account and a web-shop account that both used one IP address on
-- at least var('c360_identity_network_min_days') days each (a connection they come back to, not a passing
-- one). A home connection is a household's, so a shared network says "same household", never "same person"
-- on its own: int_identity_accounts_attached takes it as corroboration beside a name that the game account's e-mail
-- or gamer tag spells, or beside the same birth year. Addresses that more than
-- var('c360_identity_network_max_accounts') accounts used (a carrier's NAT, a campus, a cafe) give no pairs.
-- Only logged-in shop events count: an anonymous cookie's events are not an account's. Events of an account
-- that no staged contact carries (an unknown player id) give no pairs.
-- The IP addresses stay in this intermediate model; nothing BI-facing reads it.
{%- set min_days = var('c360_identity_network_min_days') %}

with

game_events as (
    select * from {{ ref('stg_game__game_events') }}
),

click_events as (
    select * from {{ ref('stg_web__click_events') }}
),

contacts as (
    select contact_id from {{ ref('int_contacts_normalized') }}
),

account_addresses as (
    select
        customer_contact_id as contact_id,
        ip_address,
        count(distinct event_date) as active_days
    from game_events
    where ip_address is not null
    group by customer_contact_id, ip_address

    union all

    select
        customer_contact_id as contact_id,
        ip_address,
        count(distinct event_date) as active_days
    from click_events
    where customer_contact_id is not null and ip_address is not null
    group by customer_contact_id, ip_address
),

regular_addresses as (
    select
        contact_id,
        ip_address
    from account_addresses
    where active_days >= {{ min_days }}
),

address_sizes as (
    select
        ip_address,
        count(*) as account_count
    from regular_addresses
    group by ip_address
),

shared_addresses as (
    select regular_addresses.*
    from regular_addresses
    inner join address_sizes
        on regular_addresses.ip_address = address_sizes.ip_address
    where
        address_sizes.account_count > 1
        and address_sizes.account_count <= {{ var('c360_identity_network_max_accounts') }}
),

paired as (
    select
        game_accounts.contact_id as contact_id_game,
        shop_accounts.contact_id as contact_id_shop,
        count(*) as shared_address_count
    from shared_addresses as game_accounts
    inner join shared_addresses as shop_accounts
        on game_accounts.ip_address = shop_accounts.ip_address
    where
        game_accounts.contact_id like 'game:%'
        and shop_accounts.contact_id like 'shop:%'
    group by game_accounts.contact_id, shop_accounts.contact_id
),

final as (
    select
        least(paired.contact_id_game, paired.contact_id_shop) as contact_id_a,
        greatest(paired.contact_id_game, paired.contact_id_shop) as contact_id_b,
        paired.shared_address_count
    from paired
    inner join contacts as game_contacts
        on paired.contact_id_game = game_contacts.contact_id
    inner join contacts as shop_contacts
        on paired.contact_id_shop = shop_contacts.contact_id
)

select * from final
