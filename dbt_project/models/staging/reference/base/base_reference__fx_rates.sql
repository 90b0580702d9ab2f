-- Every row of reference/fx_rates.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_fx_rates as (
    select * from {{ ref('raw_reference__fx_rates') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_fx_rates',
        [
            'currency_code', 'eur_per_unit',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        currency_code,
        {{ parse_decimal('eur_per_unit', 'decimal(18, 8)') }} as eur_per_unit,
        {{ key_occurrence('currency_code') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when currency_code is null then 'missing_key: currency_code is empty' end as check_missing_key,
        case
            when currency_code is not null and key_occurrence > 1
                then 'duplicate_record: currency_code already seen in an earlier row'
        end as check_duplicate,
        case
            when currency_code is not null and not {{ regex_full_match('currency_code', '[A-Z]{3}') }}
                then 'bad_value: currency_code is not an ISO-4217 code'
        end as check_currency_code,
        case
            when eur_per_unit is null or eur_per_unit <= 0
                then 'bad_number: eur_per_unit is not a positive decimal'
        end as check_eur_per_unit
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('currency_code') }} as row_key,
        raw_record,
        {{ rejection_columns(['check_missing_key', 'check_duplicate', 'check_currency_code', 'check_eur_per_unit']) }},
        currency_code,
        eur_per_unit
    from checked
)

select * from final
