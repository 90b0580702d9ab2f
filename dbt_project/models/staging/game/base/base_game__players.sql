-- Every row of game/players.csv, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_players as (
    select * from {{ ref('raw_game__players') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_players',
        [
            'player_id', 'gamer_tag', 'email', 'country', 'birth_year', 'created_at',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        player_id,
        gamer_tag as nick_name,
        email as email_address_1,
        country as address_1_country,
        birth_year as birth_year_text,
        case
            when {{ regex_full_match('birth_year', '(19|20)[0-9]{2}') }} then cast(birth_year as integer)
        end as birth_year,
        created_at as created_at_text,
        {{ parse_timestamp_utc('created_at', 'ISO8601') }} as created_at,
        {{ key_occurrence('player_id') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when player_id is null then 'missing_key: player_id is empty' end as check_missing_key,
        case
            when player_id is not null and key_occurrence > 1
                then 'duplicate_record: player_id already seen in an earlier row'
        end as check_duplicate,
        case
            when created_at is null then 'bad_date: created_at is not a UTC ISO-8601 timestamp'
        end as check_created_at,
        case
            when birth_year_text is not null and birth_year is null
                then 'bad_number: birth_year is not a four-digit year'
        end as check_birth_year,
        case
            when address_1_country is not null and not {{ regex_full_match('address_1_country', '[A-Z]{2}') }}
                then 'bad_value: country is not an ISO alpha-2 code'
        end as check_country
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('player_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_created_at', 'check_birth_year', 'check_country',
        ]) }},
        player_id,
        nick_name,
        email_address_1,
        address_1_country,
        birth_year,
        created_at
    from checked
)

select * from final
