{%- set lookups = [
    {'model': 'stg_reference__fx_rates', 'columns': ['currency_code', 'eur_per_unit']},
    {'model': 'base_reference__fx_rates', 'columns': ['source_record_id']},
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ lake_files_delete_reparsed('game', 'telemetry', " ~ (lookups | tojson) ~ ") }}",
) }}
{%- set plan = lake_files_to_parse('game', 'telemetry', lookups) %}

-- Every line of the game telemetry dumps, parsed and checked; rejection_reason is NULL for rows staged.
-- Events are behaviour, not records of a customer: player_id must be present but is not checked against
-- game/players.csv (an unmatched player is the identity layer's business).
-- Incremental by raw file: a run parses only new and changed files (and the files after the first of
-- them), see macros/lake/lake_incremental.sql; --full-refresh parses every file.
with

{{ lake_incremental_ctes('game', 'telemetry', 'event_id', plan, lookups) }},

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

fx_rates_delivered as (
    select count(*) > 0 as is_delivered from {{ ref('base_reference__fx_rates') }}
),

json_lines as (
    {{ parse_json_lines('raw_lines') }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        {{ clean_text(json_text('json_record', '$.event_id')) }} as event_id,
        {{ clean_text(json_text('json_record', '$.event_type')) }} as event_type,
        {{ clean_text(json_text('json_record', '$.ts')) }} as event_at_text,
        {{ clean_text(json_text('json_record', '$.player_id')) }} as player_id,
        {{ clean_text(json_text('json_record', '$.session_id')) }} as session_id,
        {{ clean_text(json_text('json_record', '$.platform')) }} as platform,
        {{ clean_text(json_text('json_record', '$.game_id')) }} as game_id,
        {{ clean_text(json_text('json_record', '$.client_ip')) }} as ip_address,
        {{ clean_text(json_text('json_record', '$.payload.level')) }} as level_number_text,
        {{ clean_text(json_text('json_record', '$.payload.duration_s')) }} as session_duration_text,
        {{ clean_text(json_text('json_record', '$.payload.item_id')) }} as item_id,
        {{ clean_text(json_text('json_record', '$.payload.amount')) }} as amount_text,
        {{ clean_text(json_text('json_record', '$.payload.currency')) }} as currency_code
    from json_lines
),

typed as (
    select
        *,
        {{ parse_timestamp_utc('event_at_text', 'EPOCH_MILLIS') }} as event_at,
        {{ parse_integer('level_number_text', dbt.type_int()) }} as level_number,
        {{ parse_integer('session_duration_text', dbt.type_int()) }} as session_duration_seconds,
        {{ parse_decimal('amount_text', 'decimal(18, 2)') }} as amount,
        {{ ipv4_to_bigint('ip_address') }} as ip_number
    from parsed
),

keyed as (
    {{ lake_keyed_rows('typed', 'event_id') }}
),

checked as (
    select
        keyed.*,
        fx_rates.eur_per_unit,
        case when keyed.event_id is null then 'missing_key: event_id is null or absent' end as check_missing_key,
        case
            when keyed.event_id is not null and keyed.key_occurrence > 1
                then 'duplicate_record: event_id already seen in an earlier line'
        end as check_duplicate,
        case
            when keyed.event_at is null then 'bad_date: ts is not epoch milliseconds'
        end as check_event_at,
        case
            when
                keyed.event_type is null
                or keyed.event_type not in ('session_start', 'session_end', 'level_complete', 'iap_purchase')
                then 'bad_value: event_type is not a known event type'
        end as check_event_type,
        case
            when keyed.platform is null or keyed.platform not in ('console', 'handheld', 'pc')
                then 'bad_value: platform is not console, handheld or pc'
        end as check_platform,
        case
            when keyed.ip_address is not null and keyed.ip_number is null
                then 'bad_value: client_ip is not an IPv4 address'
        end as check_ip,
        case
            when keyed.player_id is null then 'bad_value: player_id is null or absent'
        end as check_player,
        case
            when
                keyed.level_number_text is not null and keyed.level_number is null
                or keyed.session_duration_text is not null and keyed.session_duration_seconds is null
                or keyed.amount_text is not null and keyed.amount is null
                then 'bad_number: payload level / duration_s / amount is not a number'
            when keyed.amount < 0 or keyed.session_duration_seconds < 0
                then 'bad_number: payload amount / duration_s is negative'
        end as check_payload_numbers,
        case
            when keyed.event_type = 'iap_purchase' and (keyed.amount is null or keyed.currency_code is null)
                then 'bad_value: iap_purchase without amount or currency'
        end as check_purchase,
        case
            when
                keyed.currency_code is not null
                and fx_rates_delivered.is_delivered
                and fx_rates.currency_code is null
                then 'unknown_currency: payload currency has no rate in reference/fx_rates.csv'
        end as check_currency
    from keyed
    cross join fx_rates_delivered
    left join fx_rates
        on keyed.currency_code = fx_rates.currency_code
),

staged_rows as (
    select
        source_file,
        line_number,
        {{ row_key('event_id') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_event_at', 'check_event_type', 'check_platform',
            'check_ip', 'check_player', 'check_payload_numbers', 'check_purchase', 'check_currency',
        ]) }},
        event_id,
        event_type,
        event_at,
        player_id,
        session_id,
        platform,
        game_id,
        ip_address,
        level_number,
        session_duration_seconds,
        item_id,
        amount,
        currency_code,
        cast(round(amount * eur_per_unit, 2) as decimal(18, 2)) as amount_eur
    from checked
),

final as (
    -- The file fingerprint and line count kept with the rows: the incremental state (lake_incremental.sql).
    {{ lake_incremental_state('staged_rows') | indent(4) }}
)

select * from final
