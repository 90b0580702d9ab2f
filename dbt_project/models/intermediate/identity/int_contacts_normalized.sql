-- First step of identity resolution: every contact with its match keys normalized (names, nickname,
-- e-mail, phones in E.164, postcode, street, a day/month-swapped birth date). Swapped first / last names
-- are left to the compare step.
with

contacts as (
    select * from {{ ref('int_contacts_unioned') }}
),

nicknames as (
    select * from {{ ref('nicknames') }}
),

normalized as (
    select
        *,
        {{ normalize_name('first_name') }} as first_name_normalized,
        {{ normalize_name('last_name') }} as last_name_normalized,
        {{ normalize_email('email_address_1') }} as email_normalized,
        {{ normalize_phone_e164('telephone_1', 'address_1_country') }} as phone_e164,
        {{ normalize_phone_e164('mobile_phone', 'address_1_country') }} as mobile_e164,
        {{ normalize_postcode('address_1_postal_code') }} as postal_code_normalized,
        {{ normalize_street('address_1_line_1') }} as street_normalized,
        {{ date_day_month_swapped('birth_date') }} as birth_date_swapped
    from contacts
),

canonicalized as (
    select
        normalized.*,
        coalesce(nicknames.canonical_name, normalized.first_name_normalized) as first_name_canonical
    from normalized
    left join nicknames
        on normalized.first_name_normalized = nicknames.nickname
),

final as (
    select
        contact_id,
        source_system,
        source_record_id,
        first_name,
        last_name,
        full_name,
        nick_name,
        email_address_1,
        telephone_1,
        mobile_phone,
        address_1_line_1,
        address_1_city,
        address_1_postal_code,
        address_1_country,
        birth_date,
        birth_year,
        do_not_bulk_email,
        linked_source_system,
        linked_source_record_id,
        created_at,
        modified_at,
        source_file,
        first_name_normalized,
        first_name_canonical,
        last_name_normalized,
        email_normalized,
        phone_e164,
        mobile_e164,
        postal_code_normalized,
        street_normalized,
        birth_date_swapped
    from canonicalized
)

select * from final
