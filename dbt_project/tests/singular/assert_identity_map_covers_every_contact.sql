-- Every staged contact is in customer_identity_map exactly once (uniqueness of contact_id is its own
-- test): returns the contacts missing from the map, and map rows whose contact is not staged.
with

contacts as (
    select contact_id from {{ ref('int_contacts_normalized') }}
),

identity_map as (
    select contact_id from {{ ref('customer_identity_map') }}
),

missing as (
    select
        contacts.contact_id,
        'staged contact missing from the map' as problem
    from contacts
    left join identity_map
        on contacts.contact_id = identity_map.contact_id
    where identity_map.contact_id is null
),

unknown as (
    select
        identity_map.contact_id,
        'map row for a contact that is not staged' as problem
    from identity_map
    left join contacts
        on identity_map.contact_id = contacts.contact_id
    where contacts.contact_id is null
),

final as (
    select * from missing
    union all
    select * from unknown
)

select * from final
