-- Identity resolution, step 2 (block): the pairs of contacts worth comparing. Each contact is unpivoted
-- into one row per blocking key it has, contacts sharing a key are paired, and keys shared by more than
-- var('c360_identity_max_block_size') contacts (a shop's hotline, a big household; name, birth date and
-- place keys: var('c360_identity_max_name_block_size'), strangers in a dense town) are dropped, so the
-- number of pairs grows about linearly with the number of contacts. Name keys are the umlaut-folded
-- `*_name_key` columns, and phones are compared on their last 8 digits. The keys are unioned so that a pair
-- with a typo in any one or two fields still shares one of them (blocking recall is measured by
-- `make bench-identity-outside`). `network` pairs a game account with
-- the web-shop accounts that used its home connection (int_identity_shared_networks; capped there, by
-- accounts per address). A game account known only by an e-mail or a tag that spells a name is not paired
-- here: int_identity_clusters compares it with each customer's names and birth years as a whole.
{%- set block_types = [
    'email', 'phone', 'linked_id', 'name_postcode', 'first_name_postcode', 'name_street', 'name_birth_date',
    'swapped_name_postcode', 'birth_date_postcode', 'government_id', 'network',
] %}

with

contacts as (
    select * from {{ ref('int_contacts_normalized') }}
),

shared_networks as (
    select * from {{ ref('int_identity_shared_networks') }}
),

block_keys as (
    select
        contact_id,
        'email' as block_type,
        email_normalized as block_key
    from contacts
    where email_normalized is not null

    union all

    select
        contact_id,
        'phone' as block_type,
        phone_suffix as block_key
    from contacts
    where phone_suffix is not null

    union all

    select
        contact_id,
        'phone' as block_type,
        mobile_suffix as block_key
    from contacts
    where mobile_suffix is not null

    union all

    -- A record that names another record as its link shares a key with that record's own contact_id.
    select
        contact_id,
        'linked_id' as block_type,
        {{ dbt.concat(['linked_source_system', "':'", 'linked_source_record_id']) }} as block_key
    from contacts
    where linked_source_system is not null and linked_source_record_id is not null

    union all

    select
        contact_id,
        'linked_id' as block_type,
        contact_id as block_key
    from contacts

    union all

    select
        contact_id,
        'name_postcode' as block_type,
        {{ dbt.concat(['substring(last_name_key, 1, 4)', "'|'", 'postal_code_normalized']) }} as block_key
    from contacts
    where last_name_key is not null and postal_code_normalized is not null

    union all

    -- The same with the first name, for a last name typed wrong in its first letters.
    select
        contact_id,
        'first_name_postcode' as block_type,
        {{ dbt.concat(['substring(first_name_key, 1, 4)', "'|'", 'postal_code_normalized']) }} as block_key
    from contacts
    where first_name_key is not null and postal_code_normalized is not null

    union all

    -- The street instead of the postcode, for a postcode typed wrong (two digits swapped); only the first two
    -- letters of the last name, so a typo in it still agrees.
    select
        contact_id,
        'name_street' as block_type,
        {{ dbt.concat(['substring(last_name_key, 1, 2)', "'|'", 'street_normalized']) }} as block_key
    from contacts
    where last_name_key is not null and street_normalized is not null

    union all

    -- Either name with the birth date, in one key type: a pair shares it when a first name or a last name
    -- agrees, or one record's first name is the other's last name (names written the wrong way round).
    select
        contact_id,
        'name_birth_date' as block_type,
        {{ dbt.concat(['first_name_key', "'|'", dbt.cast('birth_date', dbt.type_string())]) }} as block_key
    from contacts
    where first_name_key is not null and birth_date is not null

    union all

    select
        contact_id,
        'name_birth_date' as block_type,
        {{ dbt.concat(['last_name_key', "'|'", dbt.cast('birth_date', dbt.type_string())]) }} as block_key
    from contacts
    where last_name_key is not null and birth_date is not null

    union all

    -- Order-free name pair: "anna | schmidt" for Anna Schmidt and for first / last swapped Schmidt Anna.
    select
        contact_id,
        'swapped_name_postcode' as block_type,
        {{ dbt.concat([
            'least(first_name_key, last_name_key)', "'|'",
            'greatest(first_name_key, last_name_key)', "'|'",
            'postal_code_normalized',
        ]) }} as block_key
    from contacts
    where
        first_name_key is not null
        and last_name_key is not null
        and postal_code_normalized is not null

    union all

    -- The key below survives a typo in both names (birth date with postcode). Keys of name prefixes with the
    -- birth year, and of birth date with town, were tried and dropped: on the generator (scales 10 and 100)
    -- they paired strangers of one name and year, or one birth date in a big town, and precision fell to
    -- 0.92 and 0.97.
    select
        contact_id,
        'birth_date_postcode' as block_type,
        {{ dbt.concat([dbt.cast('birth_date', dbt.type_string()), "'|'", 'postal_code_normalized']) }} as block_key
    from contacts
    where birth_date is not null and postal_code_normalized is not null

    union all

    select
        contact_id,
        'government_id' as block_type,
        government_id_normalized as block_key
    from contacts
    where government_id_normalized is not null
),

distinct_block_keys as (
    select distinct
        contact_id,
        block_type,
        block_key
    from block_keys
),

block_sizes as (
    select
        block_type,
        block_key,
        count(distinct contact_id) as block_size
    from distinct_block_keys
    group by block_type, block_key
),

capped_block_keys as (
    select distinct_block_keys.*
    from distinct_block_keys
    inner join block_sizes
        on
            distinct_block_keys.block_type = block_sizes.block_type
            and distinct_block_keys.block_key = block_sizes.block_key
    where
        block_sizes.block_size > 1
        and block_sizes.block_size <= case
            when block_sizes.block_type in ('email', 'phone', 'linked_id', 'government_id')
                then {{ var('c360_identity_max_block_size', 50) }}
            else {{ var('c360_identity_max_name_block_size', 10) }}
        end
),

paired as (
    select distinct
        contacts_a.contact_id as contact_id_a,
        contacts_b.contact_id as contact_id_b,
        contacts_a.block_type
    from capped_block_keys as contacts_a
    inner join capped_block_keys as contacts_b
        on
            contacts_a.block_type = contacts_b.block_type
            and contacts_a.block_key = contacts_b.block_key
            and contacts_a.contact_id < contacts_b.contact_id

    union

    select
        contact_id_a,
        contact_id_b,
        'network' as block_type
    from shared_networks
),

aggregated as (
    select
        contact_id_a,
        contact_id_b,
        {% for block_type in block_types %}
            max(case when block_type = '{{ block_type }}' then 1 else 0 end) = 1 as is_blocked_on_{{ block_type }},
        {% endfor %}
        {{ dbt.listagg('block_type', "', '", 'order by block_type') }} as blocking_keys
    from paired
    group by contact_id_a, contact_id_b
),

final as (
    select * from aggregated
)

select * from final
