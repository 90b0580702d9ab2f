with

contacts as (
    select * from {{ ref('base_crm__contacts') }}
    where rejection_code is null
),

final as (
    select
        {{ dbt.concat(["'crm:'", 'contactid']) }} as contact_id,
        'crm' as source_system,
        contactid as source_record_id,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        cast(null as string) as nick_name,
        email_address_1,
        telephone_1,
        mobile_phone,
        address_1_line_1,
        address_1_city,
        address_1_postal_code,
        address_1_country,
        birth_date,
        cast(extract(year from birth_date) as integer) as birth_year,
        do_not_bulk_email,
        case when erp_customer_number is not null then 'erp' end as linked_source_system,
        erp_customer_number as linked_source_record_id,
        created_at,
        modified_at,
        source_file
    from contacts
)

select * from final
