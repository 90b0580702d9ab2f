-- Every staged campaign exposure with the customer of its recipient (a CRM contact, shop account,
-- loyalty card or game player, all contacts in customer_identity_map). customer_resolution: resolved, or
-- unknown_contact when the recipient is not a staged contact (e.g. quarantined). One row per exposure.
with

exposures as (
    select * from {{ ref('stg_marketing__campaign_exposures') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

final as (
    select
        exposures.exposure_id,
        exposures.campaign_id,
        exposures.offer_id,
        exposures.recipient_contact_id,
        exposures.recipient_type,
        identity_map.customer_id,
        case when identity_map.customer_id is null then 'unknown_contact' else 'resolved' end as customer_resolution,
        exposures.is_holdout,
        exposures.assigned_at,
        exposures.sent_at,
        exposures.clicked_at
    from exposures
    left join identity_map
        on exposures.recipient_contact_id = identity_map.contact_id
)

select * from final
