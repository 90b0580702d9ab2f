-- Effectiveness of every campaign in its channel (one row per campaign; a campaign runs in one channel):
-- reach (audience, exposures, clicks, CTR), conversion of the treated versus the holdout group over the
-- attribution window (intention to treat), absolute uplift with Newcombe's 95 % interval, relative uplift
-- with the 95 % log-method interval of the rate ratio (Katz et al. 1978), incremental revenue, cost per
-- incremental conversion and ROI, up-sell and cross-sell with Newcombe's intervals of their uplift. Rates
-- count only members whose outcome is observed (resolved customers); reach counts every member. See the
-- model docs. Beside them, the attribution-adjusted uplift: the observed rates and uplift divided by q, the
-- estimated probability that a conversion can be tied to a customer at all (int_campaign_attribution_rates).
{%- set window_days = c360_campaign_attribution_window_days() %}
{%- set z = c360_campaign_z_95() %}
{%- set count_type = dbt.type_bigint() %}
{%- set rate_type = type_double() %}

with

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

members as (
    select * from {{ ref('int_campaign_members_measured') }}
),

attribution as (
    select * from {{ ref('int_campaign_attribution_rates') }}
),

-- Every campaign, staged or only named by exposures, so no audience member is lost and a campaign
-- without audience still shows (with zero counts).
campaign_keys as (
    select campaign_id from campaigns
    union
    select campaign_id from members
),

campaign_totals as (
    select
        campaign_keys.campaign_id,
        {%- for group, condition in [('treated', 'not members.is_holdout'), ('holdout', 'members.is_holdout')] %}
            sum(case when {{ condition }} and members.is_outcome_observed then 1 else 0 end)
                as {{ group }}_observed_count,
            sum(case when {{ condition }} and members.is_converted then 1 else 0 end) as {{ group }}_conversion_count,
            sum(case when {{ condition }} and members.has_purchased then 1 else 0 end) as {{ group }}_purchaser_count,
            sum(case when {{ condition }} and members.is_up_sell then 1 else 0 end) as {{ group }}_up_sell_count,
            sum(case when {{ condition }} and members.is_cross_sell then 1 else 0 end) as {{ group }}_cross_sell_count,
            coalesce(sum(case when {{ condition }} then members.revenue_eur end), 0) as {{ group }}_revenue_eur,
        {%- endfor %}
        count(members.exposure_id) as audience_size,
        sum(case when not members.is_holdout then 1 else 0 end) as treated_size,
        sum(case when members.is_holdout then 1 else 0 end) as holdout_size,
        sum(case when not members.is_outcome_observed then 1 else 0 end) as unknown_contact_count,
        sum(case when members.is_sent then 1 else 0 end) as exposure_count,
        sum(case when members.is_clicked then 1 else 0 end) as click_count
    from campaign_keys
    left join members
        on campaign_keys.campaign_id = members.campaign_id
    group by campaign_keys.campaign_id
),

rates as (
    select
        campaign_totals.*,
        {{ safe_ratio('click_count', 'exposure_count') }} as click_through_rate,
        {{ safe_ratio('treated_conversion_count', 'treated_observed_count') }} as treated_conversion_rate,
        {{ safe_ratio('holdout_conversion_count', 'holdout_observed_count') }} as holdout_conversion_rate,
        {{ safe_ratio('treated_purchaser_count', 'treated_observed_count') }} as treated_purchase_rate,
        {{ safe_ratio('holdout_purchaser_count', 'holdout_observed_count') }} as holdout_purchase_rate,
        {{ safe_ratio('treated_up_sell_count', 'treated_observed_count') }} as treated_up_sell_rate,
        {{ safe_ratio('holdout_up_sell_count', 'holdout_observed_count') }} as holdout_up_sell_rate,
        {{ safe_ratio('treated_cross_sell_count', 'treated_observed_count') }} as treated_cross_sell_rate,
        {{ safe_ratio('holdout_cross_sell_count', 'holdout_observed_count') }} as holdout_cross_sell_rate,
        {{ safe_ratio('treated_revenue_eur', 'treated_observed_count') }} as treated_revenue_per_member_eur,
        {{ safe_ratio('holdout_revenue_eur', 'holdout_observed_count') }} as holdout_revenue_per_member_eur
    from campaign_totals
),

uplift as (
    select
        rates.*,
        {#- per measure: the difference of the rates, with Newcombe's interval #}
        {%- for measure, prefix in [
            ('conversion', 'uplift'), ('up_sell', 'up_sell_uplift'), ('cross_sell', 'cross_sell_uplift'),
        ] %}
            rates.treated_{{ measure }}_rate - rates.holdout_{{ measure }}_rate as {{ prefix }}_abs,
            {%- for bound in ['lower', 'upper'] %}
                {{ c360_newcombe_difference_bound(
                    'rates.treated_' ~ measure ~ '_rate', 'rates.treated_observed_count',
                    'rates.holdout_' ~ measure ~ '_rate', 'rates.holdout_observed_count', bound, z,
                ) }} as {{ prefix }}_ci_{{ bound }},
            {%- endfor %}
        {%- endfor %}
        (rates.treated_conversion_rate - rates.holdout_conversion_rate)
        / nullif(rates.holdout_conversion_rate, 0) as uplift_relative,
        {%- for bound in ['lower', 'upper'] %}
            {{ c360_log_ratio_bound(
                'rates.treated_conversion_rate', 'rates.treated_conversion_count',
                'rates.holdout_conversion_rate', 'rates.holdout_conversion_count', bound, z,
            ) }} - 1 as uplift_relative_ci_{{ bound }},
        {%- endfor %}
        (rates.treated_conversion_rate - rates.holdout_conversion_rate) * rates.treated_size
            as incremental_conversions,
        (rates.treated_revenue_per_member_eur - rates.holdout_revenue_per_member_eur) * rates.treated_size
            as incremental_revenue_eur
    from rates
),

-- Attribution-adjusted: rates and uplift divided by q (attribution_share); the interval divides Newcombe's
-- bounds by q and widens them by q's own Wilson interval (the extremes of bound / q over q's interval).
adjusted as (
    select
        uplift.*,
        attribution.category_order_count as attribution_order_count,
        attribution.attribution_share,
        attribution.attribution_share_ci_lower,
        attribution.attribution_share_ci_upper,
        uplift.treated_conversion_rate / attribution.attribution_share as treated_conversion_rate_adjusted,
        uplift.holdout_conversion_rate / attribution.attribution_share as holdout_conversion_rate_adjusted,
        uplift.uplift_abs / attribution.attribution_share as uplift_adjusted,
        least(
            uplift.uplift_ci_lower / attribution.attribution_share_ci_lower,
            uplift.uplift_ci_lower / attribution.attribution_share_ci_upper
        ) as uplift_adjusted_ci_lower,
        greatest(
            uplift.uplift_ci_upper / attribution.attribution_share_ci_lower,
            uplift.uplift_ci_upper / attribution.attribution_share_ci_upper
        ) as uplift_adjusted_ci_upper
    from uplift
    left join attribution
        on uplift.campaign_id = attribution.campaign_id
),

joined as (
    select
        adjusted.*,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.campaign_type,
        campaigns.target_category,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.holdout_share,
        campaigns.budget_amount_eur,
        case
            when adjusted.incremental_conversions > 0
                then campaigns.budget_amount_eur / adjusted.incremental_conversions
        end as cost_per_incremental_conversion_eur,
        (adjusted.incremental_revenue_eur - campaigns.budget_amount_eur)
        / nullif(campaigns.budget_amount_eur, 0) as return_on_investment
    from adjusted
    left join campaigns
        on adjusted.campaign_id = campaigns.campaign_id
),

final as (
    select
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(campaign_type as {{ dbt.type_string() }}) as campaign_type,
        cast(target_category as {{ dbt.type_string() }}) as target_category,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast({{ window_days }} as integer) as attribution_window_days,
        cast(holdout_share as {{ rate_type }}) as holdout_share,
        cast(audience_size as {{ count_type }}) as audience_size,
        cast(treated_size as {{ count_type }}) as treated_size,
        cast(holdout_size as {{ count_type }}) as holdout_size,
        cast(unknown_contact_count as {{ count_type }}) as unknown_contact_count,
        cast(exposure_count as {{ count_type }}) as exposure_count,
        cast(click_count as {{ count_type }}) as click_count,
        cast(click_through_rate as {{ rate_type }}) as click_through_rate,
        cast(treated_observed_count as {{ count_type }}) as treated_observed_count,
        cast(holdout_observed_count as {{ count_type }}) as holdout_observed_count,
        cast(treated_conversion_count as {{ count_type }}) as treated_conversion_count,
        cast(holdout_conversion_count as {{ count_type }}) as holdout_conversion_count,
        cast(treated_conversion_rate as {{ rate_type }}) as treated_conversion_rate,
        cast(holdout_conversion_rate as {{ rate_type }}) as holdout_conversion_rate,
        cast(uplift_abs as {{ rate_type }}) as uplift_abs,
        cast(uplift_ci_lower as {{ rate_type }}) as uplift_ci_lower,
        cast(uplift_ci_upper as {{ rate_type }}) as uplift_ci_upper,
        cast(uplift_relative as {{ rate_type }}) as uplift_relative,
        cast(uplift_relative_ci_lower as {{ rate_type }}) as uplift_relative_ci_lower,
        cast(uplift_relative_ci_upper as {{ rate_type }}) as uplift_relative_ci_upper,
        cast(incremental_conversions as {{ rate_type }}) as incremental_conversions,
        cast(treated_purchaser_count as {{ count_type }}) as treated_purchaser_count,
        cast(holdout_purchaser_count as {{ count_type }}) as holdout_purchaser_count,
        cast(treated_purchase_rate as {{ rate_type }}) as treated_purchase_rate,
        cast(holdout_purchase_rate as {{ rate_type }}) as holdout_purchase_rate,
        cast(treated_revenue_eur as decimal(18, 2)) as treated_revenue_eur,
        cast(holdout_revenue_eur as decimal(18, 2)) as holdout_revenue_eur,
        cast(treated_revenue_per_member_eur as {{ rate_type }}) as treated_revenue_per_member_eur,
        cast(holdout_revenue_per_member_eur as {{ rate_type }}) as holdout_revenue_per_member_eur,
        cast(incremental_revenue_eur as decimal(18, 2)) as incremental_revenue_eur,
        cast(budget_amount_eur as decimal(18, 2)) as cost_eur,
        cast(cost_per_incremental_conversion_eur as decimal(18, 2)) as cost_per_incremental_conversion_eur,
        cast(return_on_investment as {{ rate_type }}) as return_on_investment,
        cast(treated_up_sell_count as {{ count_type }}) as treated_up_sell_count,
        cast(holdout_up_sell_count as {{ count_type }}) as holdout_up_sell_count,
        cast(treated_up_sell_rate as {{ rate_type }}) as treated_up_sell_rate,
        cast(holdout_up_sell_rate as {{ rate_type }}) as holdout_up_sell_rate,
        cast(up_sell_uplift_abs as {{ rate_type }}) as up_sell_uplift_abs,
        cast(up_sell_uplift_ci_lower as {{ rate_type }}) as up_sell_uplift_ci_lower,
        cast(up_sell_uplift_ci_upper as {{ rate_type }}) as up_sell_uplift_ci_upper,
        cast(treated_cross_sell_count as {{ count_type }}) as treated_cross_sell_count,
        cast(holdout_cross_sell_count as {{ count_type }}) as holdout_cross_sell_count,
        cast(treated_cross_sell_rate as {{ rate_type }}) as treated_cross_sell_rate,
        cast(holdout_cross_sell_rate as {{ rate_type }}) as holdout_cross_sell_rate,
        cast(cross_sell_uplift_abs as {{ rate_type }}) as cross_sell_uplift_abs,
        cast(cross_sell_uplift_ci_lower as {{ rate_type }}) as cross_sell_uplift_ci_lower,
        cast(cross_sell_uplift_ci_upper as {{ rate_type }}) as cross_sell_uplift_ci_upper,
        cast(attribution_order_count as {{ count_type }}) as attribution_order_count,
        cast(attribution_share as {{ rate_type }}) as attribution_share,
        cast(attribution_share_ci_lower as {{ rate_type }}) as attribution_share_ci_lower,
        cast(attribution_share_ci_upper as {{ rate_type }}) as attribution_share_ci_upper,
        cast(treated_conversion_rate_adjusted as {{ rate_type }}) as treated_conversion_rate_adjusted,
        cast(holdout_conversion_rate_adjusted as {{ rate_type }}) as holdout_conversion_rate_adjusted,
        cast(uplift_adjusted as {{ rate_type }}) as uplift_adjusted,
        cast(uplift_adjusted_ci_lower as {{ rate_type }}) as uplift_adjusted_ci_lower,
        cast(uplift_adjusted_ci_upper as {{ rate_type }}) as uplift_adjusted_ci_upper
    from joined
)

select * from final
