-- GeoLite2-style IPv4 networks with their location, one row per network and /16 bucket it covers (see
-- macros/geo/ip_buckets.sql): the build side of the bucketed range join in int_game_events_geolocated.
-- A network wider than a /16 appears once per bucket; narrower ones once.
with

geo_networks as (
    select * from {{ ref('stg_reference__geo_networks') }}
),

geo_locations as (
    select * from {{ ref('stg_reference__geo_locations') }}
),

bucket_offsets as (
    {{ bucket_offsets(16) }}
),

networks as (
    select
        network,
        network_start_ip,
        network_end_ip,
        coalesce(geoname_id, registered_country_geoname_id) as geoname_id,
        latitude,
        longitude,
        accuracy_radius as accuracy_radius_km,
        {{ ip_bucket('network_start_ip') }} as first_ip_bucket,
        {{ ip_bucket('network_end_ip') }} as last_ip_bucket
    from geo_networks
    where network_start_ip is not null
),

located as (
    select
        networks.*,
        geo_locations.country_iso_code,
        geo_locations.country_name,
        geo_locations.subdivision_1_name as region_name,
        geo_locations.city_name
    from networks
    left join geo_locations
        on networks.geoname_id = geo_locations.geoname_id
),

bucketed as (
    select
        located.*,
        located.first_ip_bucket as ip_bucket
    from located
    where located.first_ip_bucket = located.last_ip_bucket

    union all

    select
        located.*,
        located.first_ip_bucket + bucket_offsets.bucket_offset as ip_bucket
    from located
    inner join bucket_offsets
        on bucket_offsets.bucket_offset <= located.last_ip_bucket - located.first_ip_bucket
    where located.first_ip_bucket < located.last_ip_bucket
),

final as (
    select
        ip_bucket,
        network,
        network_start_ip,
        network_end_ip,
        geoname_id,
        country_iso_code,
        country_name,
        region_name,
        city_name,
        latitude,
        longitude,
        accuracy_radius_km
    from bucketed
)

select * from final
