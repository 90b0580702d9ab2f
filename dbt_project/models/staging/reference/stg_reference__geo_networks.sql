with

geoip_blocks as (
    select * from {{ ref('base_reference__geoip_blocks') }}
    where rejection_code is null
),

final as (
    select
        network,
        'reference' as source_system,
        network as source_record_id,
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
        accuracy_radius,
        source_file
    from geoip_blocks
)

select * from final
