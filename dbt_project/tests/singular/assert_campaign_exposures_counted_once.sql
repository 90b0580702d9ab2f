-- Every staged exposure is one audience member of its campaign, counted once: per campaign, the members
-- of int_campaign_members_measured and the sizes, exposures, clicks and unknown contacts of
-- campaign_effectiveness equal the staged exposures (unknown contacts included). Returns one row per
-- campaign and figure that differs.
with

staged_exposures as (
    select * from {{ ref('stg_marketing__campaign_exposures') }}
),

resolved_exposures as (
    select * from {{ ref('int_campaign_exposures_resolved') }}
),

members as (
    select * from {{ ref('int_campaign_members_measured') }}
),

effectiveness as (
    select * from {{ ref('campaign_effectiveness') }}
),

staged as (
    select
        staged_exposures.campaign_id,
        count(*) as audience_size,
        sum(case when staged_exposures.is_holdout then 1 else 0 end) as holdout_size,
        sum(case when staged_exposures.sent_at is not null then 1 else 0 end) as exposure_count,
        sum(case when staged_exposures.clicked_at is not null then 1 else 0 end) as click_count,
        sum(case when resolved_exposures.customer_resolution = 'unknown_contact' then 1 else 0 end)
            as unknown_contact_count
    from staged_exposures
    left join resolved_exposures
        on staged_exposures.exposure_id = resolved_exposures.exposure_id
    group by staged_exposures.campaign_id
),

member_counts as (
    select
        campaign_id,
        count(*) as member_rows,
        count(distinct exposure_id) as distinct_members
    from members
    group by campaign_id
),

compared as (
    select
        coalesce(staged.campaign_id, effectiveness.campaign_id, member_counts.campaign_id) as campaign_id,
        coalesce(staged.audience_size, 0) as staged_audience_size,
        coalesce(member_counts.member_rows, 0) as member_rows,
        coalesce(member_counts.distinct_members, 0) as distinct_members,
        coalesce(effectiveness.audience_size, 0) as audience_size,
        coalesce(staged.holdout_size, 0) as staged_holdout_size,
        coalesce(effectiveness.holdout_size, 0) as holdout_size,
        coalesce(staged.exposure_count, 0) as staged_exposure_count,
        coalesce(effectiveness.exposure_count, 0) as exposure_count,
        coalesce(staged.click_count, 0) as staged_click_count,
        coalesce(effectiveness.click_count, 0) as click_count,
        coalesce(staged.unknown_contact_count, 0) as staged_unknown_contact_count,
        coalesce(effectiveness.unknown_contact_count, 0) as unknown_contact_count
    from staged
    full outer join effectiveness
        on staged.campaign_id = effectiveness.campaign_id
    full outer join member_counts
        on coalesce(staged.campaign_id, effectiveness.campaign_id) = member_counts.campaign_id
),

final as (
    select * from compared
    where
        member_rows <> staged_audience_size
        or distinct_members <> staged_audience_size
        or audience_size <> staged_audience_size
        or holdout_size <> staged_holdout_size
        or exposure_count <> staged_exposure_count
        or click_count <> staged_click_count
        or unknown_contact_count <> staged_unknown_contact_count
)

select * from final
