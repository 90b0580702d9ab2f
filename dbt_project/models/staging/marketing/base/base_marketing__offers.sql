-- Every row of marketing/offers.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_offers as (
    select * from {{ ref('raw_marketing__offers') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

delivered_campaigns as (
    select distinct campaign_id from {{ ref('base_marketing__campaigns') }}
    where campaign_id is not null
),

campaigns_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_marketing__campaigns') }}
),

products as (
    select * from {{ ref('stg_reference__products') }}
),

products_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__products') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_offers',
        [
            'offer_id', 'campaign_id', 'offer_type', 'sku', 'category', 'discount_pct', 'valid_from',
            'valid_to',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        offer_id,
        campaign_id,
        offer_type,
        sku as product_id,
        category as product_category,
        discount_pct as discount_percentage_text,
        {{ parse_decimal('discount_pct', 'decimal(5, 2)') }} as discount_percentage,
        valid_from as valid_from_text,
        {{ parse_date('valid_from', 'YYYY-MM-DD') }} as valid_from_date,
        valid_to as valid_to_text,
        {{ parse_date('valid_to', 'YYYY-MM-DD') }} as valid_to_date,
        {{ key_occurrence('offer_id') }} as key_occurrence
    from split_lines
),

checked as (
    select
        parsed.*,
        case when parsed.offer_id is null then 'missing_key: offer_id is empty' end as check_missing_key,
        case
            when parsed.offer_id is not null and parsed.key_occurrence > 1
                then 'duplicate_record: offer_id already seen in an earlier row'
        end as check_duplicate,
        case
            when parsed.offer_type is null or parsed.offer_type not in ('product', 'category')
                then 'bad_value: offer_type is not product or category'
            when parsed.offer_type = 'product' and parsed.product_id is null
                then 'bad_value: a product offer without sku'
        end as check_offer_type,
        case
            when
                parsed.discount_percentage is null
                or parsed.discount_percentage <= 0
                or parsed.discount_percentage > 100
                then 'bad_number: discount_pct is not a percentage in (0, 100]'
        end as check_discount,
        case
            when
                (parsed.valid_from_text is not null and parsed.valid_from_date is null)
                or (parsed.valid_to_text is not null and parsed.valid_to_date is null)
                then 'bad_date: valid_from / valid_to is not a YYYY-MM-DD date'
        end as check_dates,
        case
            when parsed.campaign_id is null then 'unknown_campaign: campaign_id is empty'
            when campaigns_delivered.is_delivered and delivered_campaigns.campaign_id is null
                then 'unknown_campaign: campaign_id is not in marketing/campaigns.csv'
            when campaigns_delivered.is_delivered and campaigns.campaign_id is null
                then 'campaign_rejected: the row of campaign_id was quarantined'
        end as check_campaign,
        case
            when
                parsed.product_id is not null
                and products_delivered.is_delivered
                and products.product_id is null
                then 'unknown_sku: sku is not a staged product'
        end as check_product
    from parsed
    cross join campaigns_delivered
    cross join products_delivered
    left join campaigns
        on parsed.campaign_id = campaigns.campaign_id
    left join delivered_campaigns
        on parsed.campaign_id = delivered_campaigns.campaign_id
    left join products
        on parsed.product_id = products.product_id
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('offer_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_offer_type', 'check_discount', 'check_dates',
            'check_campaign', 'check_product',
        ]) }},
        offer_id,
        campaign_id,
        offer_type,
        product_id,
        product_category,
        discount_percentage,
        valid_from_date,
        valid_to_date
    from checked
)

select * from final
