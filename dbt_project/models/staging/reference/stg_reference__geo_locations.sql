with

geoip_locations as (
    select * from {{ ref('base_reference__geoip_locations') }}
    where rejection_code is null
),

final as (
    select
        geoname_id,
        'reference' as source_system,
        {{ dbt.cast('geoname_id', dbt.type_string()) }} as source_record_id,
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
        is_in_european_union,
        source_file
    from geoip_locations
)

select * from final
