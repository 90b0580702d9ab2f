-- Every row of reference/stores.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_stores as (
    select * from {{ ref('raw_reference__stores') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_stores',
        [
            'store_id', 'store_name', 'street', 'postcode', 'city', 'region', 'country', 'opened_on',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        store_id,
        store_name,
        street,
        postcode,
        city,
        region,
        country,
        opened_on as opened_on_text,
        {{ parse_date('opened_on', 'YYYY-MM-DD') }} as opened_on,
        {{ key_occurrence('store_id') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when store_id is null then 'missing_key: store_id is empty' end as check_missing_key,
        case
            when store_id is not null and key_occurrence > 1
                then 'duplicate_record: store_id already seen in an earlier row'
        end as check_duplicate,
        case
            when country is not null and not {{ regex_full_match('country', '[A-Z]{2}') }}
                then 'bad_value: country is not an ISO alpha-2 code'
        end as check_country,
        case
            when opened_on_text is not null and opened_on is null
                then 'bad_date: opened_on is not a YYYY-MM-DD date'
        end as check_opened_on
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('store_id') }} as row_key,
        raw_record,
        {{ rejection_columns(['check_missing_key', 'check_duplicate', 'check_country', 'check_opened_on']) }},
        store_id,
        store_name,
        street,
        postcode,
        city,
        region,
        country,
        opened_on
    from checked
)

select * from final
