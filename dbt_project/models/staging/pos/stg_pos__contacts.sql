-- Loyalty-programme members as contacts; the card number is the record id.
with

loyalty_members as (
    select * from {{ ref('base_pos__loyalty_members') }}
    where rejection_code is null
),

final as (
    select
        {{ dbt.concat(["'pos:'", 'card_id']) }} as contact_id,
        'pos' as source_system,
        card_id as source_record_id,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        cast(null as string) as nick_name,
        email_address_1,
        cast(null as string) as telephone_1,
        mobile_phone,
        cast(null as string) as address_1_line_1,
        cast(null as string) as address_1_city,
        address_1_postal_code,
        cast(null as string) as address_1_country,
        birth_date,
        cast(extract(year from birth_date) as integer) as birth_year,
        -- the programme records an SMS opt-in only; e-mail consent is unknown
        cast(null as boolean) as do_not_bulk_email,
        cast(null as string) as linked_source_system,
        cast(null as string) as linked_source_record_id,
        -- enrolment date, midnight UTC
        cast(enrolled_on as timestamp) as created_at,
        cast(null as timestamp) as modified_at,
        source_file,
        -- attributes only mapped sources carry (doc lake_mappings): NULL here, for the conformed shape
        cast(null as string) as address_1_line_2,
        cast(null as string) as address_1_state_or_province,
        cast(null as string) as extra_attributes
    from loyalty_members
)

select * from final
