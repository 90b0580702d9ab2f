-- Every row of pos/loyalty_members.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_loyalty_members as (
    select * from {{ ref('raw_pos__loyalty_members') }}
),

stores as (
    select * from {{ ref('stg_reference__stores') }}
),

stores_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__stores') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_loyalty_members',
        [
            'card_id', 'first_name', 'last_name', 'email', 'mobile', 'zip', 'birth_date', 'enrolled_on',
            'home_store_id', 'opt_in_sms',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        card_id,
        first_name,
        last_name,
        email as email_address_1,
        mobile as mobile_phone,
        zip as address_1_postal_code,
        birth_date as birth_date_text,
        {{ parse_date('birth_date', 'DD.MM.YYYY') }} as birth_date,
        enrolled_on as enrolled_on_text,
        {{ parse_date('enrolled_on', 'DD.MM.YYYY') }} as enrolled_on,
        home_store_id,
        opt_in_sms as opt_in_sms_text,
        {{ parse_boolean('opt_in_sms', ['Y'], ['N']) }} as has_sms_opt_in,
        {{ key_occurrence('card_id') }} as key_occurrence
    from split_lines
),

checked as (
    select
        parsed.*,
        case when parsed.card_id is null then 'missing_key: card_id is empty' end as check_missing_key,
        case
            when parsed.card_id is not null and parsed.key_occurrence > 1
                then 'duplicate_record: card_id already seen in an earlier row'
        end as check_duplicate,
        case
            when parsed.birth_date_text is not null and parsed.birth_date is null
                then 'bad_date: birth_date is not a DD.MM.YYYY date'
        end as check_birth_date,
        case
            when parsed.enrolled_on is null then 'bad_date: enrolled_on is not a DD.MM.YYYY date'
        end as check_enrolled_on,
        case
            when parsed.opt_in_sms_text is not null and parsed.has_sms_opt_in is null
                then 'bad_value: opt_in_sms is not Y or N'
        end as check_opt_in_sms,
        case
            when
                parsed.home_store_id is not null
                and stores_delivered.is_delivered
                and stores.store_id is null
                then 'unknown_store: home_store_id is not a staged store'
        end as check_home_store
    from parsed
    cross join stores_delivered
    left join stores
        on parsed.home_store_id = stores.store_id
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('card_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_birth_date', 'check_enrolled_on',
            'check_opt_in_sms', 'check_home_store',
        ]) }},
        card_id,
        first_name,
        last_name,
        email_address_1,
        mobile_phone,
        address_1_postal_code,
        birth_date,
        enrolled_on,
        home_store_id,
        has_sms_opt_in
    from checked
)

select * from final
