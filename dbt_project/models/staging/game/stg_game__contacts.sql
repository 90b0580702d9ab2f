-- Game accounts as contacts: the gamer tag is the nick name; players give a birth year, not a date.
with

players as (
    select * from {{ ref('base_game__players') }}
    where rejection_code is null
),

final as (
    select
        {{ dbt.concat(["'game:'", 'player_id']) }} as contact_id,
        'game' as source_system,
        player_id as source_record_id,
        cast(null as string) as first_name,
        cast(null as string) as last_name,
        cast(null as string) as full_name,
        nick_name,
        email_address_1,
        cast(null as string) as telephone_1,
        cast(null as string) as mobile_phone,
        cast(null as string) as address_1_line_1,
        cast(null as string) as address_1_city,
        cast(null as string) as address_1_postal_code,
        address_1_country,
        cast(null as date) as birth_date,
        birth_year,
        cast(null as boolean) as do_not_bulk_email,
        cast(null as string) as linked_source_system,
        cast(null as string) as linked_source_record_id,
        created_at,
        cast(null as timestamp) as modified_at,
        source_file,
        -- attributes only mapped sources carry (doc lake_mappings): NULL here, for the conformed shape
        cast(null as string) as address_1_line_2,
        cast(null as string) as address_1_state_or_province,
        cast(null as string) as extra_attributes
    from players
)

select * from final
