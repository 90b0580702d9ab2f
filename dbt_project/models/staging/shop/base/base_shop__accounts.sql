-- Every line of shop/accounts.jsonl, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_accounts as (
    select * from {{ ref('raw_shop__accounts') }}
),

json_lines as (
    {{ parse_json_lines('raw_accounts') }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        {{ clean_text(json_text('json_record', '$.account_id')) }} as account_id,
        {{ clean_text(json_text('json_record', '$.email')) }} as email_address_1,
        {{ clean_text(json_text('json_record', '$.first_name')) }} as first_name,
        {{ clean_text(json_text('json_record', '$.last_name')) }} as last_name,
        {{ clean_text(json_text('json_record', '$.phone')) }} as telephone_1,
        {{ clean_text(json_text('json_record', '$.birthday')) }} as birth_date_text,
        {{ clean_text(json_text('json_record', '$.default_address.street')) }} as address_1_line_1,
        {{ clean_text(json_text('json_record', '$.default_address.city')) }} as address_1_city,
        {{ clean_text(json_text('json_record', '$.default_address.zip')) }} as address_1_postal_code,
        {{ clean_text(json_text('json_record', '$.default_address.country')) }} as address_1_country,
        {{ clean_text(json_text('json_record', '$.loyalty_card')) }} as loyalty_card,
        {{ clean_text(json_text('json_record', '$.newsletter')) }} as newsletter_text,
        {{ clean_text(json_text('json_record', '$.created_at')) }} as created_at_text,
        {{ clean_text(json_text('json_record', '$.updated_at')) }} as updated_at_text
    from json_lines
),

typed as (
    select
        *,
        {{ parse_date('birth_date_text', 'YYYY-MM-DD') }} as birth_date,
        {{ parse_boolean('newsletter_text', ['true'], ['false']) }} as has_newsletter_opt_in,
        {{ parse_timestamp_utc('created_at_text', 'ISO8601') }} as created_at,
        {{ parse_timestamp_utc('updated_at_text', 'ISO8601') }} as modified_at,
        {{ key_occurrence('account_id') }} as key_occurrence
    from parsed
),

checked as (
    select
        *,
        case when account_id is null then 'missing_key: account_id is null or absent' end as check_missing_key,
        case
            when account_id is not null and key_occurrence > 1
                then 'duplicate_record: account_id already seen in an earlier line'
        end as check_duplicate,
        case
            when birth_date_text is not null and birth_date is null
                then 'bad_date: birthday is not a YYYY-MM-DD date'
        end as check_birth_date,
        case
            when created_at is null or (updated_at_text is not null and modified_at is null)
                then 'bad_date: created_at / updated_at is not an ISO-8601 timestamp with offset'
        end as check_timestamps,
        case
            when newsletter_text is not null and has_newsletter_opt_in is null
                then 'bad_value: newsletter is not true or false'
        end as check_newsletter,
        case
            when address_1_country is not null and not {{ regex_full_match('address_1_country', '[A-Z]{2}') }}
                then 'bad_value: default_address.country is not an ISO alpha-2 code'
        end as check_country
    from typed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('account_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_birth_date', 'check_timestamps',
            'check_newsletter', 'check_country',
        ]) }},
        account_id,
        first_name,
        last_name,
        email_address_1,
        telephone_1,
        address_1_line_1,
        address_1_city,
        address_1_postal_code,
        address_1_country,
        birth_date,
        has_newsletter_opt_in,
        loyalty_card,
        created_at,
        modified_at
    from checked
)

select * from final
