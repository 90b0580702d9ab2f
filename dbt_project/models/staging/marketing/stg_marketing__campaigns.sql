with

campaigns as (
    select * from {{ ref('base_marketing__campaigns') }}
    where rejection_code is null
),

final as (
    select
        campaign_id,
        'marketing' as source_system,
        campaign_id as source_record_id,
        campaign_name,
        channel,
        campaign_type,
        target_category,
        start_date,
        end_date,
        budget_amount_eur,
        holdout_share,
        source_file
    from campaigns
)

select * from final
