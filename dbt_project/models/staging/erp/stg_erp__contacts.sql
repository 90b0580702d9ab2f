with

customers as (
    select * from {{ ref('base_erp__customers') }}
    where rejection_code is null
),

final as (
    select
        {{ dbt.concat(["'erp:'", 'kunnr']) }} as contact_id,
        'erp' as source_system,
        kunnr as source_record_id,
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
        cast(null as boolean) as do_not_bulk_email,
        cast(null as string) as linked_source_system,
        cast(null as string) as linked_source_record_id,
        -- the ERP keeps change dates only: midnight UTC of that day
        cast(created_on as timestamp) as created_at,
        cast(modified_on as timestamp) as modified_at,
        source_file,
        -- attributes only mapped sources carry (doc lake_mappings): NULL here, for the conformed shape
        cast(null as string) as address_1_line_2,
        cast(null as string) as address_1_state_or_province,
        cast(null as string) as extra_attributes
    from customers
)

select * from final
