-- Point-in-time features of every golden customer at each feature date: one row per customer in `customers`
-- and date of int_feature_dates_listed (the scoring date c360_as_of() and the training dates of the churn
-- and CLV models), joined from the feature families in models/intermediate/features, which compute each
-- family from the rows dated strictly before the row's own as_of_date: purchases and cancelled orders,
-- web clicks, game sessions, campaign responses, product categories. A family holds rows only for
-- customers with history of its kind; here a customer without it gets 0 counts and amounts and NULL
-- recencies, ratios and categories. Tenure and has_history_before_as_of combine the families.
{%- set purchase_channels = c360_purchase_channels() %}
{%- set windows = c360_feature_windows_days() %}
{%- set count_type = dbt.type_bigint() %}
{#- Feature columns in their order, as (family CTE, column, kind): a count or EUR amount is 0 for a customer
    without a row in its family, any other value NULL. -#}
{%- set features = [
    ('purchases', 'first_purchase_at', 'value'),
    ('purchases', 'last_purchase_at', 'value'),
    ('purchases', 'days_since_first_purchase', 'value'),
    ('purchases', 'recency_days', 'value'),
    ('purchases', 'purchase_count', 'count'),
    ('purchases', 'monetary_eur', 'eur'),
    ('purchases', 'avg_purchase_value_eur', 'value'),
    ('purchases', 'mean_days_between_purchases', 'value'),
    ('purchases', 'cancelled_order_count', 'count'),
] %}
{%- for channel in purchase_channels %}
    {%- do features.extend([
        ('purchases', channel ~ '_purchase_count', 'count'),
        ('purchases', channel ~ '_monetary_eur', 'eur'),
        ('purchases', channel ~ '_recency_days', 'value'),
    ]) %}
{%- endfor %}
{%- for window in windows %}
    {%- do features.extend([
        ('purchases', 'purchase_count_' ~ window ~ 'd', 'count'),
        ('purchases', 'purchase_count_prev_' ~ window ~ 'd', 'count'),
        ('purchases', 'purchase_count_change_' ~ window ~ 'd', 'count'),
        ('purchases', 'monetary_' ~ window ~ 'd_eur', 'eur'),
        ('purchases', 'monetary_prev_' ~ window ~ 'd_eur', 'eur'),
        ('purchases', 'monetary_change_' ~ window ~ 'd_eur', 'eur'),
        ('purchases', 'monetary_ratio_' ~ window ~ 'd', 'value'),
    ]) %}
{%- endfor %}
{%- for window in windows %}
    {%- do features.extend([
        ('clicks', 'web_clicks_' ~ window ~ 'd', 'count'),
        ('clicks', 'product_views_' ~ window ~ 'd', 'count'),
        ('clicks', 'add_to_carts_' ~ window ~ 'd', 'count'),
    ]) %}
{%- endfor %}
{%- do features.append(('clicks', 'days_since_last_web_click', 'value')) %}
{%- for window in windows %}
    {%- do features.extend([
        ('game_sessions', 'game_sessions_' ~ window ~ 'd', 'count'),
        ('game_sessions', 'game_play_seconds_' ~ window ~ 'd', 'count'),
    ]) %}
{%- endfor %}
{%- do features.extend([
    ('game_sessions', 'days_since_last_game_event', 'value'),
    ('campaign_exposures', 'campaign_exposures', 'count'),
    ('campaign_exposures', 'campaign_clicks', 'count'),
    ('campaign_exposures', 'campaign_click_rate', 'value'),
    ('campaign_exposures', 'campaign_conversions_14d', 'count'),
    ('category_spend', 'category_count', 'count'),
    ('category_spend', 'top_category', 'value'),
    ('category_spend', 'top_category_spend_share', 'value'),
]) %}
{%- set feature_columns = [] %}
{%- for family, column, kind in features %}
    {%- if kind == 'count' %}
        {%- do feature_columns.append(
            'cast(coalesce(' ~ family ~ '.' ~ column ~ ', 0) as ' ~ count_type ~ ') as ' ~ column
        ) %}
    {%- elif kind == 'eur' %}
        {%- do feature_columns.append(
            'cast(coalesce(' ~ family ~ '.' ~ column ~ ', 0) as decimal(18, 2)) as ' ~ column
        ) %}
    {%- else %}
        {%- do feature_columns.append(family ~ '.' ~ column) %}
    {%- endif %}
{%- endfor %}

with

customers as (
    select * from {{ ref('customers') }}
),

feature_dates as (
    select * from {{ ref('int_feature_dates_listed') }}
),

purchases as (
    select * from {{ ref('int_customer_purchases_summarized') }}
),

clicks as (
    select * from {{ ref('int_customer_clicks_summarized') }}
),

game_sessions as (
    select * from {{ ref('int_customer_game_sessions_summarized') }}
),

campaign_exposures as (
    select * from {{ ref('int_customer_campaign_exposures_summarized') }}
),

category_spend as (
    select * from {{ ref('int_customer_category_spend_summarized') }}
),

-- One row per customer and feature date. Tenure: the customer's first source record, if it was created
-- before the feature date.
customer_records as (
    select
        customers.customer_id,
        feature_dates.as_of_date,
        feature_dates.feature_set,
        feature_dates.is_scoring_date,
        feature_dates.is_churn_training_date,
        feature_dates.is_clv_training_date,
        case
            when cast(customers.first_created_at as date) < feature_dates.as_of_date
                then {{ days_before('cast(customers.first_created_at as date)', 'feature_dates.as_of_date') }}
        end as days_since_first_record
    from customers
    cross join feature_dates
),

final as (
    select
        customer_records.customer_id,
        customer_records.as_of_date,
        customer_records.feature_set,
        customer_records.is_scoring_date,
        customer_records.is_churn_training_date,
        customer_records.is_clv_training_date,
        (
            customer_records.days_since_first_record is not null
            or purchases.customer_id is not null
            or clicks.customer_id is not null
            or game_sessions.customer_id is not null
            or campaign_exposures.customer_id is not null
        ) as has_history_before_as_of,
        customer_records.days_since_first_record,
        case
            when purchases.days_since_first_purchase is null then customer_records.days_since_first_record
            when customer_records.days_since_first_record is null then purchases.days_since_first_purchase
            when customer_records.days_since_first_record > purchases.days_since_first_purchase
                then customer_records.days_since_first_record
            else purchases.days_since_first_purchase
        end as tenure_days,
        {{ feature_columns | join(',\n        ') }}
    from customer_records
    left join purchases
        on
            customer_records.customer_id = purchases.customer_id
            and customer_records.as_of_date = purchases.as_of_date
    left join clicks
        on
            customer_records.customer_id = clicks.customer_id
            and customer_records.as_of_date = clicks.as_of_date
    left join game_sessions
        on
            customer_records.customer_id = game_sessions.customer_id
            and customer_records.as_of_date = game_sessions.as_of_date
    left join campaign_exposures
        on
            customer_records.customer_id = campaign_exposures.customer_id
            and customer_records.as_of_date = campaign_exposures.as_of_date
    left join category_spend
        on
            customer_records.customer_id = category_spend.customer_id
            and customer_records.as_of_date = category_spend.as_of_date
)

select * from final
