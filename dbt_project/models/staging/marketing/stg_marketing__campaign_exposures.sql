-- The recipient id is mapped to the contact_id of the system it belongs to: crm_contact -> 'crm:',
-- loyalty_card -> 'pos:', shop_account -> 'shop:', game_player -> 'game:'.
with

exposures as (
    select * from {{ ref('base_marketing__exposures') }}
    where rejection_code is null
),

final as (
    select
        exposure_id,
        'marketing' as source_system,
        exposure_id as source_record_id,
        campaign_id,
        offer_id,
        case recipient_type
            when 'crm_contact' then {{ dbt.concat(["'crm:'", 'recipient_id']) }}
            when 'loyalty_card' then {{ dbt.concat(["'pos:'", 'recipient_id']) }}
            when 'shop_account' then {{ dbt.concat(["'shop:'", 'recipient_id']) }}
            when 'game_player' then {{ dbt.concat(["'game:'", 'recipient_id']) }}
        end as recipient_contact_id,
        recipient_type,
        recipient_id,
        is_holdout,
        assigned_at,
        sent_at,
        clicked_at,
        source_file
    from exposures
)

select * from final
