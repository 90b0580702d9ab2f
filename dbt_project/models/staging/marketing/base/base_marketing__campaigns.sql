-- Every row of marketing/campaigns.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_campaigns as (
    select * from {{ ref('raw_marketing__campaigns') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_campaigns',
        [
            'campaign_id', 'campaign_name', 'channel', 'campaign_type', 'target_category', 'start_date',
            'end_date', 'budget_eur', 'holdout_share',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        campaign_id,
        campaign_name,
        channel,
        campaign_type,
        target_category,
        start_date as start_date_text,
        {{ parse_date('start_date', 'YYYY-MM-DD') }} as start_date,
        end_date as end_date_text,
        {{ parse_date('end_date', 'YYYY-MM-DD') }} as end_date,
        budget_eur as budget_amount_eur_text,
        {{ parse_decimal('budget_eur', 'decimal(18, 2)') }} as budget_amount_eur,
        holdout_share as holdout_share_text,
        {{ parse_decimal('holdout_share', 'decimal(9, 4)') }} as holdout_share,
        {{ key_occurrence('campaign_id') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when campaign_id is null then 'missing_key: campaign_id is empty' end as check_missing_key,
        case
            when campaign_id is not null and key_occurrence > 1
                then 'duplicate_record: campaign_id already seen in an earlier row'
        end as check_duplicate,
        case
            when channel is null or channel not in ('email', 'display', 'social', 'sms', 'in_game')
                then 'bad_value: channel is not email, display, social, sms or in_game'
        end as check_channel,
        case
            when campaign_type is null or campaign_type not in ('upsell', 'cross_sell', 'retention', 'acquisition')
                then 'bad_value: campaign_type is not upsell, cross_sell, retention or acquisition'
        end as check_campaign_type,
        case
            when start_date is null or (end_date_text is not null and end_date is null)
                then 'bad_date: start_date / end_date is not a YYYY-MM-DD date'
            when end_date < start_date then 'bad_date: end_date is before start_date'
        end as check_dates,
        case
            when budget_amount_eur_text is not null and budget_amount_eur is null
                then 'bad_number: budget_eur is not a decimal'
            when holdout_share is null or holdout_share < 0 or holdout_share >= 1
                then 'bad_number: holdout_share is not a share in [0, 1)'
        end as check_numbers
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('campaign_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_channel', 'check_campaign_type', 'check_dates',
            'check_numbers',
        ]) }},
        campaign_id,
        campaign_name,
        channel,
        campaign_type,
        target_category,
        start_date,
        end_date,
        budget_amount_eur,
        holdout_share
    from checked
)

select * from final
