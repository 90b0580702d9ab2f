-- Every row of the GeoLite2-style IPv4 blocks file, parsed and checked; rejection_reason is NULL for rows staged.
with

raw_geoip_blocks as (
    select * from {{ ref('raw_reference__geoip_blocks') }}
),

split_lines as (
    {{ split_csv_lines(
        'raw_geoip_blocks',
        [
            'network', 'geoname_id', 'registered_country_geoname_id', 'represented_country_geoname_id',
            'is_anonymous_proxy', 'is_satellite_provider', 'postal_code', 'latitude', 'longitude',
            'accuracy_radius',
        ],
    ) }}
),

parsed as (
    select
        source_file,
        line_number,
        raw_record,
        structure_rejection,
        network,
        {{ cidr_start_ip('network') }} as network_start_ip,
        {{ cidr_end_ip('network') }} as network_end_ip,
        geoname_id as geoname_id_text,
        {{ parse_integer('geoname_id') }} as geoname_id,
        registered_country_geoname_id as registered_country_geoname_id_text,
        {{ parse_integer('registered_country_geoname_id') }} as registered_country_geoname_id,
        represented_country_geoname_id as represented_country_geoname_id_text,
        {{ parse_integer('represented_country_geoname_id') }} as represented_country_geoname_id,
        is_anonymous_proxy as is_anonymous_proxy_text,
        {{ parse_boolean('is_anonymous_proxy', ['1'], ['0']) }} as is_anonymous_proxy,
        is_satellite_provider as is_satellite_provider_text,
        {{ parse_boolean('is_satellite_provider', ['1'], ['0']) }} as is_satellite_provider,
        postal_code,
        latitude as latitude_text,
        {{ parse_decimal('latitude', 'decimal(9, 6)') }} as latitude,
        longitude as longitude_text,
        {{ parse_decimal('longitude', 'decimal(9, 6)') }} as longitude,
        accuracy_radius as accuracy_radius_text,
        {{ parse_integer('accuracy_radius', dbt.type_int()) }} as accuracy_radius,
        {{ key_occurrence('network') }} as key_occurrence
    from split_lines
),

checked as (
    select
        *,
        case when network is null then 'missing_key: network is empty' end as check_missing_key,
        case
            when network is not null and key_occurrence > 1
                then 'duplicate_record: network already seen in an earlier row'
        end as check_duplicate,
        case
            when network is not null and network_start_ip is null
                then 'bad_value: network is not an IPv4 CIDR (a.b.c.d/n)'
        end as check_network,
        case
            when
                (geoname_id_text is not null and geoname_id is null)
                or (registered_country_geoname_id_text is not null and registered_country_geoname_id is null)
                or (represented_country_geoname_id_text is not null and represented_country_geoname_id is null)
                or (accuracy_radius_text is not null and accuracy_radius is null)
                then 'bad_number: a geoname id or accuracy_radius is not an integer'
        end as check_integers,
        case
            when
                (latitude_text is not null and (latitude is null or latitude not between -90 and 90))
                or (longitude_text is not null and (longitude is null or longitude not between -180 and 180))
                then 'bad_number: latitude or longitude is not a coordinate'
        end as check_coordinates,
        case
            when
                (is_anonymous_proxy_text is not null and is_anonymous_proxy is null)
                or (is_satellite_provider_text is not null and is_satellite_provider is null)
                then 'bad_value: is_anonymous_proxy / is_satellite_provider is not 0 or 1'
        end as check_flags
    from parsed
),

final as (
    select
        source_file,
        line_number,
        {{ row_key('network') }} as row_key,
        raw_record,
        {{ rejection_columns([
            'check_missing_key', 'check_duplicate', 'check_network', 'check_integers',
            'check_coordinates', 'check_flags',
        ]) }},
        network,
        network_start_ip,
        network_end_ip,
        geoname_id,
        registered_country_geoname_id,
        represented_country_geoname_id,
        is_anonymous_proxy,
        is_satellite_provider,
        postal_code,
        latitude,
        longitude,
        accuracy_radius
    from checked
)

select * from final
