{#-
    Mapped lake sources: IP geolocation (see lake_mapped.sql and models/staging/_lake_mappings__docs.md).
    The generated staging models call

        stg_<system>__geo_networks   lake_mapped_geo_networks(system, table)    entity geo_network
        stg_<system>__geo_locations  lake_mapped_geo_locations(system, table)   entity geo_location

    and the base model (lake_mapped_base) types their values with lake_mapped_typed_geo: the types
    ipv4_network, latitude and longitude, which any entity may use. Portable SQL: the IP macros of
    macros/parsing/numbers.sql (dbt.split_part and arithmetic) and parse_decimal.
-#}


{#-
    The typed value of an attribute of type ipv4_network (the CIDR text as written, when its address is
    four octets 0..255 and its prefix 0..32), latitude or longitude (decimal degrees in [-90, 90] /
    [-180, 180]); NULL when it does not parse or is out of range.
-#}
{% macro lake_mapped_typed_geo(mapping, attribute, value) -%}
    {%- if attribute.type == 'ipv4_network' -%}
        case
            when {{ ipv4_to_bigint(dbt.split_part(value, "'/'", 1)) }} is not null
                and {{ cidr_prefix_length(value) }} is not null
                then {{ value }}
        end
    {%- else -%}
        {%- set bound = 90 if attribute.type == 'latitude' else 180 -%}
        {%- set degrees = parse_decimal(value, 'decimal(9, 6)', decimal_separator=mapping.decimal_separator) -%}
        case when {{ degrees }} between -{{ bound }} and {{ bound }} then {{ degrees }} end
    {%- endif -%}
{%- endmacro %}


{#-
    IPv4 networks with their first and last address as integers (the host bits of the written address
    ignored), for range joins with IP addresses; geoname ids as BIGINT.
-#}
{% macro lake_mapped_geo_networks(source_name, table_name) -%}
    {%- set geoname_ids = [] -%}
    {%- for column in ['geoname_id', 'registered_country_geoname_id', 'represented_country_geoname_id'] -%}
        {%- do geoname_ids.append(dbt.cast(column, dbt.type_bigint()) ~ ' as ' ~ column) -%}
    {%- endfor -%}
    {{ return(lake_mapped_records(source_name, table_name, 'networks', 'network', [
        cidr_start_ip('source_record_id') ~ ' as network_start_ip',
        cidr_end_ip('source_record_id') ~ ' as network_end_ip',
    ] + geoname_ids + [
        'is_anonymous_proxy', 'is_satellite_provider', 'postal_code', 'latitude', 'longitude', 'accuracy_radius',
    ])) }}
{%- endmacro %}

{#- The key of a location is its geoname id (BIGINT); source_record_id is its text. -#}
{% macro lake_mapped_geo_locations(source_name, table_name) -%}
    {{ return(lake_mapped_records(source_name, table_name, 'locations', 'geoname_id', [
        'locale_code', 'continent_code', 'continent_name', 'country_iso_code', 'country_name',
        'subdivision_1_iso_code', 'subdivision_1_name', 'subdivision_2_iso_code', 'subdivision_2_name', 'city_name',
        'metro_code', 'time_zone', 'is_in_european_union',
    ], key_type=dbt.type_bigint())) }}
{%- endmacro %}
