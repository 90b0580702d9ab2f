-- Every row of crm/contacts.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_contacts as (
    select * from {{ ref('raw_crm__contacts') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_contacts',
        [
            'contactid', 'firstname', 'lastname', 'emailaddress1', 'telephone1', 'mobilephone',
            'address1_line1', 'address1_city', 'address1_postalcode', 'address1_country', 'birthdate',
            'createdon', 'modifiedon', 'donotbulkemail', 'new_erpcustomernumber',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        contactid,
        firstname as first_name,
        lastname as last_name,
        emailaddress1 as email_address_1,
        telephone1 as telephone_1,
        mobilephone as mobile_phone,
        address1_line1 as address_1_line_1,
        address1_city as address_1_city,
        address1_postalcode as address_1_postal_code,
        address1_country as address_1_country,
        birthdate as birth_date_text,
        {{ parse_date('birthdate', 'YYYY-MM-DD') }} as birth_date,
        createdon as created_at_text,
        {{ parse_timestamp_utc('createdon', 'ISO8601') }} as created_at,
        modifiedon as modified_at_text,
        {{ parse_timestamp_utc('modifiedon', 'ISO8601') }} as modified_at,
        donotbulkemail as do_not_bulk_email_text,
        {{ parse_boolean('donotbulkemail', ['1'], ['0']) }} as do_not_bulk_email,
        new_erpcustomernumber as erp_customer_number,
        {{ key_occurrence('contactid') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when contactid is null then 'missing_key: contactid is empty' end as check_missing_key,
        case
            when contactid is not null and key_occurrence > 1
                then 'duplicate_record: contactid already seen in an earlier row'
        end as check_duplicate,
        case
            when birth_date_text is not null and birth_date is null
                then 'bad_date: birthdate is not a YYYY-MM-DD date'
        end as check_birth_date,
        case
            when created_at is null or (modified_at_text is not null and modified_at is null)
                then 'bad_date: createdon / modifiedon is not a UTC ISO-8601 timestamp'
        end as check_timestamps,
        case
            when do_not_bulk_email_text is not null and do_not_bulk_email is null
                then 'bad_value: donotbulkemail is not 0 or 1'
        end as check_do_not_bulk_email,
        case
            when address_1_country is not null and not {{ regex_full_match('address_1_country', '[A-Z]{2}') }}
                then 'bad_value: address1_country is not an ISO alpha-2 code'
        end as check_country
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('contactid') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_birth_date', 'check_timestamps',
            'check_do_not_bulk_email', 'check_country',
        ]) }},
        contactid,
        first_name,
        last_name,
        email_address_1,
        telephone_1,
        mobile_phone,
        address_1_line_1,
        address_1_city,
        address_1_postal_code,
        address_1_country,
        birth_date,
        do_not_bulk_email,
        erp_customer_number,
        created_at,
        modified_at
    from checked
)

select * from final
