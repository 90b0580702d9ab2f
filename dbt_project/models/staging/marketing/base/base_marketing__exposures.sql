-- Every row of marketing/exposures.csv.gz, parsed and checked; rejection_reason is NULL for rows staged.
-- Campaign and offer must be staged (campaign effectiveness joins them); the recipient id must be present
-- but is not checked against its system's master file (an unmatched recipient is the identity layer's
-- business).
with

raw_exposures as (
    select * from {{ ref('raw_marketing__exposures') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

campaigns_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_marketing__campaigns') }}
),

offers as (
    select * from {{ ref('stg_marketing__offers') }}
),

offers_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_marketing__offers') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_exposures',
        [
            'exposure_id', 'campaign_id', 'offer_id', 'recipient_type', 'recipient_id',
            'group as exposure_group', 'assigned_at', 'sent_at', 'clicked_at',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        exposure_id,
        campaign_id,
        offer_id,
        recipient_type,
        recipient_id,
        {{ parse_boolean('exposure_group', ['holdout'], ['treatment']) }} as is_holdout,
        assigned_at as assigned_at_text,
        {{ parse_timestamp_utc('assigned_at', 'ISO8601') }} as assigned_at,
        sent_at as sent_at_text,
        {{ parse_timestamp_utc('sent_at', 'ISO8601') }} as sent_at,
        clicked_at as clicked_at_text,
        {{ parse_timestamp_utc('clicked_at', 'ISO8601') }} as clicked_at,
        {{ key_occurrence('exposure_id') }} as key_occurrence
    from split_lines
),

checked as (
    select
        parsed.*,
        case when parsed.exposure_id is null then 'missing_key: exposure_id is empty' end as check_missing_key,
        case
            when parsed.exposure_id is not null and parsed.key_occurrence > 1
                then 'duplicate_record: exposure_id already seen in an earlier row'
        end as check_duplicate,
        case
            when parsed.is_holdout is null then 'bad_value: group is not treatment or holdout'
        end as check_group,
        case
            when
                parsed.recipient_type is null
                or parsed.recipient_type not in ('crm_contact', 'loyalty_card', 'shop_account', 'game_player')
                then 'bad_value: recipient_type is not crm_contact, loyalty_card, shop_account or game_player'
            when parsed.recipient_id is null then 'bad_value: recipient_id is empty'
        end as check_recipient,
        case
            when
                parsed.assigned_at is null
                or (parsed.sent_at_text is not null and parsed.sent_at is null)
                or (parsed.clicked_at_text is not null and parsed.clicked_at is null)
                then 'bad_date: assigned_at / sent_at / clicked_at is not a UTC ISO-8601 timestamp'
        end as check_timestamps,
        case
            when parsed.campaign_id is null then 'unknown_campaign: campaign_id is empty'
            when campaigns_delivered.is_delivered and campaigns.campaign_id is null
                then 'unknown_campaign: campaign_id is not a staged campaign'
        end as check_campaign,
        case
            when parsed.offer_id is not null and offers_delivered.is_delivered and offers.offer_id is null
                then 'unknown_offer: offer_id is not a staged offer'
        end as check_offer
    from parsed
    cross join campaigns_delivered
    cross join offers_delivered
    left join campaigns
        on parsed.campaign_id = campaigns.campaign_id
    left join offers
        on parsed.offer_id = offers.offer_id
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('exposure_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_group', 'check_recipient', 'check_timestamps',
            'check_campaign', 'check_offer',
        ]) }},
        exposure_id,
        campaign_id,
        offer_id,
        recipient_type,
        recipient_id,
        is_holdout,
        assigned_at,
        sent_at,
        clicked_at
    from checked
)

select * from final
