-- First step of identity resolution: every contact with its match keys normalized (names, nickname,
-- e-mail, phones in E.164, postcode, street, a day/month-swapped birth date), plus comparison keys that
-- survive spelling variants: umlaut-folded names without spaces, the letters of the e-mail local part and
-- the last 8 digits of each phone (a number typed without its country still agrees there), each phone's line
-- type (mobile or fixed, from its numbering plan) and a gamer tag's letters. Swapped first / last names are
-- left to the compare step. household_namesake_birth_years counts the birth years, and
-- household_namesake_mobile_numbers the mobile numbers, seen for one order-free name at one postcode: two or
-- more mean namesakes share the address (a father and son).
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
        {{ normalize_name('nick_name') }} as nick_name_normalized,
        {{ normalize_email('email_address_1') }} as email_normalized,
        -- The address as typed (case, blanks and a '+tag' aside), before gmail's dots are removed.
        case
            when {{ normalize_email('email_address_1') }} is not null
                then {{ dbt.concat([
                    dbt.split_part(dbt.split_part('lower(trim(email_address_1))', "'@'", 1), "'+'", 1),
                    "'@'",
                    dbt.split_part('lower(trim(email_address_1))', "'@'", 2),
                ]) }}
        end as email_as_written,
        {{ normalize_phone_e164('telephone_1', 'address_1_country') }} as phone_e164,
        {{ normalize_phone_e164('mobile_phone', 'address_1_country') }} as mobile_e164,
        {{ normalize_postcode('address_1_postal_code') }} as postal_code_normalized,
        {{ normalize_street('address_1_line_1') }} as street_normalized,
        {{ date_day_month_swapped('birth_date') }} as birth_date_swapped,
        {{ normalize_name('address_1_city') }} as city_name_normalized,
        -- A national id's letters and digits only, upper case ('123-45 678' -> '12345678').
        nullif(upper({{ regexp_replace_all('government_id', '[^0-9A-Za-z]', '') }}), '') as government_id_normalized
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

keyed as (
    select
        *,
        {{ name_match_key('first_name_canonical') }} as first_name_key,
        {{ name_match_key('last_name_normalized') }} as last_name_key,
        {{ name_match_key(dbt.split_part('email_normalized', "'@'", 1)) }} as email_local_key,
        -- A gamer tag's letters, folded like the names: 'frank_mue84' -> 'frankmu'.
        {{ name_match_key('nick_name_normalized') }} as nick_name_key,
        {{ name_match_key('city_name_normalized') }} as city_normalized,
        case when {{ dbt.length('phone_e164') }} >= 9 then {{ dbt.right('phone_e164', 8) }} end as phone_suffix,
        case when {{ dbt.length('mobile_e164') }} >= 9 then {{ dbt.right('mobile_e164', 8) }} end as mobile_suffix,
        -- Mobile or fixed line, from the numbering plan when the calling code is sure (the number was written
        -- with it, or the contact has a country); a number from a mobile field without one counts as mobile.
        case
            when address_1_country is not null or trim(telephone_1) like '+%' or trim(telephone_1) like '00%'
                then {{ phone_line_type('phone_e164') }}
        end as phone_line_type,
        coalesce(
            case
                when address_1_country is not null or trim(mobile_phone) like '+%' or trim(mobile_phone) like '00%'
                    then {{ phone_line_type('mobile_e164') }}
            end,
            case when mobile_e164 is not null then 'mobile' end
        ) as mobile_line_type,
        coalesce(birth_year, extract(year from birth_date)) as known_birth_year
    from canonicalized
),

household_keyed as (
    select
        *,
        case
            when first_name_key is not null and last_name_key is not null and postal_code_normalized is not null
                then {{ dbt.concat([
                    'least(first_name_key, last_name_key)', "'|'",
                    'greatest(first_name_key, last_name_key)', "'|'",
                    'postal_code_normalized',
                ]) }}
        end as household_name_key
    from keyed
),

household_namesakes as (
    select
        household_name_key,
        count(distinct known_birth_year) as household_namesake_birth_years
    from household_keyed
    where household_name_key is not null
    group by household_name_key
),

-- Mobile numbers are personal (a fixed line is the household's): two of them for one name at one postcode
-- are two people as much as two birth years are.
household_mobile_numbers as (
    select
        household_name_key,
        phone_suffix as mobile_number
    from household_keyed
    where household_name_key is not null and phone_line_type = 'mobile' and phone_suffix is not null

    union all

    select
        household_name_key,
        mobile_suffix as mobile_number
    from household_keyed
    where household_name_key is not null and mobile_line_type = 'mobile' and mobile_suffix is not null
),

household_mobiles as (
    select
        household_name_key,
        count(distinct mobile_number) as household_namesake_mobile_numbers
    from household_mobile_numbers
    group by household_name_key
),

with_namesakes as (
    select
        household_keyed.*,
        coalesce(household_namesakes.household_namesake_birth_years, 0) as household_namesake_birth_years,
        coalesce(household_mobiles.household_namesake_mobile_numbers, 0) as household_namesake_mobile_numbers
    from household_keyed
    left join household_namesakes
        on household_keyed.household_name_key = household_namesakes.household_name_key
    left join household_mobiles
        on household_keyed.household_name_key = household_mobiles.household_name_key
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
        email_as_written,
        phone_e164,
        mobile_e164,
        postal_code_normalized,
        street_normalized,
        city_normalized,
        government_id,
        government_id_normalized,
        birth_date_swapped,
        first_name_key,
        last_name_key,
        email_local_key,
        nick_name_key,
        phone_suffix,
        mobile_suffix,
        phone_line_type,
        mobile_line_type,
        known_birth_year,
        household_namesake_birth_years,
        household_namesake_mobile_numbers
    from with_namesakes
)

select * from final
