with

accounts as (
    select * from {{ ref('base_shop__accounts') }}
    where rejection_code is null
),

final as (
    select
        {{ dbt.concat(["'shop:'", 'account_id']) }} as contact_id,
        'shop' as source_system,
        account_id as source_record_id,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        cast(null as string) as nick_name,
        email_address_1,
        telephone_1,
        cast(null as string) as mobile_phone,
        address_1_line_1,
        address_1_city,
        address_1_postal_code,
        address_1_country,
        birth_date,
        cast(extract(year from birth_date) as integer) as birth_year,
        -- the newsletter opt-in is the inverse of the bulk e-mail opt-out
        not has_newsletter_opt_in as do_not_bulk_email,
        case when loyalty_card is not null then 'pos' end as linked_source_system,
        loyalty_card as linked_source_record_id,
        created_at,
        modified_at,
        source_file,
        -- attributes only mapped sources carry (doc lake_mappings): NULL here, for the conformed shape
        cast(null as string) as address_1_line_2,
        cast(null as string) as address_1_state_or_province,
        cast(null as string) as extra_attributes
    from accounts
)

select * from final
