-- Every row of the GeoLite2-style locations file, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_geoip_locations as (
    select * from {{ ref('raw_reference__geoip_locations') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_geoip_locations',
        [
            'geoname_id', 'locale_code', 'continent_code', 'continent_name', 'country_iso_code',
            'country_name', 'subdivision_1_iso_code', 'subdivision_1_name', 'subdivision_2_iso_code',
            'subdivision_2_name', 'city_name', 'metro_code', 'time_zone', 'is_in_european_union',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        geoname_id as geoname_id_text,
        {{ parse_integer('geoname_id') }} as geoname_id,
        locale_code,
        continent_code,
        continent_name,
        country_iso_code,
        country_name,
        subdivision_1_iso_code,
        subdivision_1_name,
        subdivision_2_iso_code,
        subdivision_2_name,
        city_name,
        metro_code,
        time_zone,
        is_in_european_union as is_in_european_union_text,
        {{ parse_boolean('is_in_european_union', ['1'], ['0']) }} as is_in_european_union,
        {{ key_occurrence('geoname_id') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when geoname_id_text is null then 'missing_key: geoname_id is empty' end as check_missing_key,
        case
            when geoname_id_text is not null and geoname_id is null
                then 'bad_number: geoname_id is not an integer'
        end as check_geoname_id,
        case
            when geoname_id is not null and key_occurrence > 1
                then 'duplicate_record: geoname_id already seen in an earlier row'
        end as check_duplicate,
        case
            when is_in_european_union_text is not null and is_in_european_union is null
                then 'bad_value: is_in_european_union is not 0 or 1'
        end as check_flags
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('geoname_id_text') }} as row_key,
        raw_record,
        {{ rejection_columns(['check_missing_key', 'check_geoname_id', 'check_duplicate', 'check_flags']) }},
        geoname_id,
        locale_code,
        continent_code,
        continent_name,
        country_iso_code,
        country_name,
        subdivision_1_iso_code,
        subdivision_1_name,
        subdivision_2_iso_code,
        subdivision_2_name,
        city_name,
        metro_code,
        time_zone,
        is_in_european_union
    from checked
)

select * from final
