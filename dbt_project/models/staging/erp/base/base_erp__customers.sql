-- Every row of erp/customers.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_customers as (
    select * from {{ ref('raw_erp__customers') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_customers',
        [
            'KUNNR', 'NAME1', 'STRAS', 'PSTLZ', 'ORT01', 'LAND1', 'TELF1', 'SMTP_ADDR', 'GBDAT', 'ERDAT',
            'AEDAT',
        ], delimiter=';',
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        kunnr,
        {{ split_last_first_name('name1', 'first') }} as first_name,
        {{ split_last_first_name('name1', 'last') }} as last_name,
        stras as address_1_line_1,
        pstlz as address_1_postal_code,
        ort01 as address_1_city,
        land1 as address_1_country,
        telf1 as telephone_1,
        smtp_addr as email_address_1,
        -- 00000000 is SAP's "no date": unknown, not invalid
        case when gbdat <> '00000000' then gbdat end as birth_date_text,
        {{ parse_date("case when gbdat <> '00000000' then gbdat end", 'YYYYMMDD') }} as birth_date,
        erdat as created_on_text,
        {{ parse_date('erdat', 'YYYYMMDD') }} as created_on,
        aedat as modified_on_text,
        {{ parse_date('aedat', 'YYYYMMDD') }} as modified_on,
        {{ key_occurrence('kunnr') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when kunnr is null then 'missing_key: KUNNR is empty' end as check_missing_key,
        case
            when kunnr is not null and key_occurrence > 1
                then 'duplicate_record: KUNNR already seen in an earlier row'
        end as check_duplicate,
        case
            when birth_date_text is not null and birth_date is null
                then 'bad_date: GBDAT is not a YYYYMMDD date'
        end as check_birth_date,
        case
            when created_on is null or (modified_on_text is not null and modified_on is null)
                then 'bad_date: ERDAT / AEDAT is not a YYYYMMDD date'
        end as check_change_dates,
        case
            when address_1_country is not null and not {{ regex_full_match('address_1_country', '[A-Z]{2}') }}
                then 'bad_value: LAND1 is not an ISO alpha-2 code'
        end as check_country
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('kunnr') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_birth_date', 'check_change_dates', 'check_country',
        ]) }},
        kunnr,
        first_name,
        last_name,
        address_1_line_1,
        address_1_postal_code,
        address_1_city,
        address_1_country,
        telephone_1,
        email_address_1,
        birth_date,
        created_on,
        modified_on
    from checked
)

select * from final
