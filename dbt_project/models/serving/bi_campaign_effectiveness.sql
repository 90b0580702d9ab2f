-- Campaign effectiveness for BI tools: every column of campaign_effectiveness (aggregates per campaign; no
-- personal data). Columns are listed, so a column added to the mart reaches BI only when added here.
with

campaign_effectiveness as (
    select * from {{ ref('campaign_effectiveness') }}
),

final as (
    select
        campaign_id,
        channel,
        campaign_name,
        campaign_type,
        target_category,
        start_date,
        end_date,
        attribution_window_days,
        holdout_share,
        audience_size,
        treated_size,
        holdout_size,
        unknown_contact_count,
        exposure_count,
        click_count,
        click_through_rate,
        treated_observed_count,
        holdout_observed_count,
        treated_conversion_count,
        holdout_conversion_count,
        treated_conversion_rate,
        holdout_conversion_rate,
        uplift_abs,
        uplift_ci_lower,
        uplift_ci_upper,
        uplift_relative,
        uplift_relative_ci_lower,
        uplift_relative_ci_upper,
        incremental_conversions,
        treated_purchaser_count,
        holdout_purchaser_count,
        treated_purchase_rate,
        holdout_purchase_rate,
        treated_revenue_eur,
        holdout_revenue_eur,
        treated_revenue_per_member_eur,
        holdout_revenue_per_member_eur,
        incremental_revenue_eur,
        cost_eur,
        cost_per_incremental_conversion_eur,
        return_on_investment,
        treated_up_sell_count,
        holdout_up_sell_count,
        treated_up_sell_rate,
        holdout_up_sell_rate,
        up_sell_uplift_abs,
        up_sell_uplift_ci_lower,
        up_sell_uplift_ci_upper,
        treated_cross_sell_count,
        holdout_cross_sell_count,
        treated_cross_sell_rate,
        holdout_cross_sell_rate,
        cross_sell_uplift_abs,
        cross_sell_uplift_ci_lower,
        cross_sell_uplift_ci_upper
    from campaign_effectiveness
)

select * from final
