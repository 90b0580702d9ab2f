-- Identity resolution, step 3 (compare and score): every candidate pair with its comparison features,
-- a weighted score and the match decision. Weights and threshold come from var('c360_identity_weights').
-- Never-match rules: birth dates both known and neither equal nor day/month swapped; birth years both known
-- and different; and, for two records of a name that several people share at one postcode (household
-- namesakes, see int_contacts_normalized), no person-level evidence (same e-mail, mobile number, birth date
-- or linked id). Phones are typed mobile or fixed line (int_contacts_normalized): a mobile is a person's, a
-- fixed line a household's, so an agreeing mobile under the same names weighs more, only numbers of one
-- kind can conflict, and a first name alone does not join two household members with other last names.
-- A record without names (a game account) is compared by its e-mail local part and gamer tag instead:
-- 'frank.mueller84' and 'frank_mue84' agree with Frank Müller (used by int_identity_clusters to attach it),
-- as does a home connection that a game and a shop account share (is_network_match, a household's evidence).
{%- set weights = var('c360_identity_weights') %}
{%- set floor = weights['name_similarity_floor'] %}

with

candidate_pairs as (
    select * from {{ ref('int_identity_candidate_pairs') }}
),

contacts as (
    select * from {{ ref('int_contacts_normalized') }}
),

shared_networks as (
    select * from {{ ref('int_identity_shared_networks') }}
),

joined as (
    select
        candidate_pairs.contact_id_a,
        candidate_pairs.contact_id_b,
        candidate_pairs.blocking_keys,
        shared_networks.contact_id_a is not null as is_network_match,
        contacts_a.contact_id as contact_id_of_a,
        contacts_b.contact_id as contact_id_of_b,
        contacts_a.first_name_key as first_name_a,
        contacts_b.first_name_key as first_name_b,
        contacts_a.last_name_key as last_name_a,
        contacts_b.last_name_key as last_name_b,
        contacts_a.email_local_key as email_local_key_a,
        contacts_b.email_local_key as email_local_key_b,
        contacts_a.nick_name_key as nick_name_key_a,
        contacts_b.nick_name_key as nick_name_key_b,
        contacts_a.address_1_country as country_a,
        contacts_b.address_1_country as country_b,
        contacts_a.email_normalized as email_a,
        contacts_b.email_normalized as email_b,
        contacts_a.email_as_written as email_as_written_a,
        contacts_b.email_as_written as email_as_written_b,
        contacts_a.phone_suffix as phone_a,
        contacts_b.phone_suffix as phone_b,
        contacts_a.mobile_suffix as mobile_a,
        contacts_b.mobile_suffix as mobile_b,
        contacts_a.phone_line_type as phone_line_type_a,
        contacts_b.phone_line_type as phone_line_type_b,
        contacts_a.mobile_line_type as mobile_line_type_a,
        contacts_b.mobile_line_type as mobile_line_type_b,
        contacts_a.street_normalized as street_a,
        contacts_b.street_normalized as street_b,
        contacts_a.postal_code_normalized as postal_code_a,
        contacts_b.postal_code_normalized as postal_code_b,
        contacts_a.birth_date as birth_date_a,
        contacts_b.birth_date as birth_date_b,
        contacts_a.birth_date_swapped as birth_date_swapped_a,
        contacts_a.known_birth_year as birth_year_a,
        contacts_b.known_birth_year as birth_year_b,
        contacts_a.household_namesake_birth_years >= 2
        or contacts_b.household_namesake_birth_years >= 2
        or coalesce(contacts_a.household_namesake_mobile_numbers >= 2, false)
        or coalesce(contacts_b.household_namesake_mobile_numbers >= 2, false) as is_household_namesake,
        {{ dbt.concat(['contacts_a.linked_source_system', "':'", 'contacts_a.linked_source_record_id']) }}
            as linked_id_a,
        {{ dbt.concat(['contacts_b.linked_source_system', "':'", 'contacts_b.linked_source_record_id']) }}
            as linked_id_b
    from candidate_pairs
    inner join contacts as contacts_a
        on candidate_pairs.contact_id_a = contacts_a.contact_id
    inner join contacts as contacts_b
        on candidate_pairs.contact_id_b = contacts_b.contact_id
    left join shared_networks
        on
            candidate_pairs.contact_id_a = shared_networks.contact_id_a
            and candidate_pairs.contact_id_b = shared_networks.contact_id_b
),

features as (
    select
        contact_id_a,
        contact_id_b,
        blocking_keys,
        is_network_match,
        coalesce(email_a = email_b, false) as is_email_match,
        coalesce(email_as_written_a = email_as_written_b, false) as is_email_as_written_match,
        coalesce(
            phone_a = phone_b or phone_a = mobile_b or mobile_a = phone_b or mobile_a = mobile_b, false
        ) as is_phone_match,
        -- The same number, and a mobile one: evidence of one person, where a shared fixed line is a household's.
        coalesce(
            (phone_a = phone_b and 'mobile' in (phone_line_type_a, phone_line_type_b))
            or (phone_a = mobile_b and 'mobile' in (phone_line_type_a, mobile_line_type_b))
            or (mobile_a = phone_b and 'mobile' in (mobile_line_type_a, phone_line_type_b))
            or (mobile_a = mobile_b and 'mobile' in (mobile_line_type_a, mobile_line_type_b)),
            false
        ) as is_mobile_match,
        -- Numbers of one kind (two mobiles, two fixed lines, or a kind unknown) that differ: a fixed line and
        -- a mobile of one person differ without contradicting each other.
        (
            (
                phone_a is not null and phone_b is not null
                and coalesce(phone_line_type_a = phone_line_type_b, true)
            )
            or (
                phone_a is not null and mobile_b is not null
                and coalesce(phone_line_type_a = mobile_line_type_b, true)
            )
            or (
                mobile_a is not null and phone_b is not null
                and coalesce(mobile_line_type_a = phone_line_type_b, true)
            )
            or (
                mobile_a is not null and mobile_b is not null
                and coalesce(mobile_line_type_a = mobile_line_type_b, true)
            )
        )
        and not coalesce(
            phone_a = phone_b or phone_a = mobile_b or mobile_a = phone_b or mobile_a = mobile_b, false
        ) as is_phone_conflict,
        coalesce(email_local_key_a = email_local_key_b and {{ dbt.length('email_local_key_a') }} >= 6, false)
            as is_email_local_match,
        coalesce(
            email_local_key_a in ({{ email_name_spellings('first_name_b', 'last_name_b') | join(', ') }})
            or email_local_key_b in ({{ email_name_spellings('first_name_a', 'last_name_a') | join(', ') }}),
            false
        ) as is_email_name_match,
        coalesce(
            email_local_key_a in ({{ email_name_spellings('first_name_b', 'last_name_b')[:2] | join(', ') }})
            or email_local_key_b in ({{ email_name_spellings('first_name_a', 'last_name_a')[:2] | join(', ') }}),
            false
        ) as is_email_full_name_match,
        coalesce(
            nick_name_key_a in ({{ nick_name_spellings('first_name_b', 'last_name_b') | join(', ') }})
            or nick_name_key_b in ({{ nick_name_spellings('first_name_a', 'last_name_a') | join(', ') }}),
            false
        ) as is_nick_name_match,
        -- The first name (3 letters or more) appears in a nameless side's e-mail local part or gamer tag.
        coalesce(
            (
                first_name_a is null and last_name_a is null and {{ dbt.length('first_name_b') }} >= 3
                and (
                    {{ dbt.position('first_name_b', 'email_local_key_a') }} > 0
                    or {{ dbt.position('first_name_b', 'nick_name_key_a') }} > 0
                )
            )
            or (
                first_name_b is null and last_name_b is null and {{ dbt.length('first_name_a') }} >= 3
                and (
                    {{ dbt.position('first_name_a', 'email_local_key_b') }} > 0
                    or {{ dbt.position('first_name_a', 'nick_name_key_b') }} > 0
                )
            ),
            false
        ) as is_first_name_spelled,
        coalesce(email_a <> email_b, false) as is_email_conflict,
        coalesce(country_a <> country_b, false) as is_country_conflict,
        coalesce(birth_year_a = birth_year_b, false) as is_birth_year_match,
        coalesce(linked_id_a = contact_id_of_b, false)
        or coalesce(linked_id_b = contact_id_of_a, false) as is_linked_id_match,
        coalesce({{ jaro_winkler_similarity('first_name_a', 'first_name_b') }}, 0) as first_name_similarity,
        coalesce({{ jaro_winkler_similarity('last_name_a', 'last_name_b') }}, 0) as last_name_similarity,
        coalesce(
            (
                {{ jaro_winkler_similarity('first_name_a', 'last_name_b') }}
                + {{ jaro_winkler_similarity('last_name_a', 'first_name_b') }}
            ) / 2,
            0
        ) as swapped_name_similarity,
        coalesce({{ jaro_winkler_similarity('street_a', 'street_b') }}, 0) as street_similarity,
        coalesce(postal_code_a = postal_code_b, false) as is_postal_code_match,
        coalesce(
            postal_code_a = postal_code_b and {{ jaro_winkler_similarity('street_a', 'street_b') }} < {{ floor }},
            false
        ) as is_street_conflict,
        coalesce(postal_code_a <> postal_code_b, false) as is_postal_code_conflict,
        coalesce(birth_date_a = birth_date_b, false) as is_birth_date_match,
        coalesce(birth_date_swapped_a = birth_date_b, false) as is_birth_date_swapped_match,
        coalesce(
            birth_date_a <> birth_date_b and not coalesce(birth_date_swapped_a = birth_date_b, false), false
        ) as is_birth_date_conflict,
        coalesce(birth_year_a <> birth_year_b, false) as is_birth_year_conflict,
        is_household_namesake,
        (first_name_a is null and last_name_a is null)
        or (first_name_b is null and last_name_b is null) as is_name_missing,
        first_name_a is not null and first_name_b is not null as has_both_first_names,
        last_name_a is not null and last_name_b is not null as has_both_last_names
    from joined
),

-- Names count only when similar enough; first and last name as written, or swapped, whichever scores higher.
-- An e-mail that agrees only once gmail's dots are removed ('anna.berg@' and 'annaberg@' are two people's
-- addresses as often as one person's variants) counts only when the postcodes do not disagree.
name_scored as (
    select
        *,
        is_email_match
        and (is_email_as_written_match or not is_postal_code_conflict) as is_email_evidence,
        greatest(
            case when first_name_similarity >= {{ floor }} then first_name_similarity else 0 end
            * {{ weights['first_name'] }}
            + case when last_name_similarity >= {{ floor }} then last_name_similarity else 0 end
            * {{ weights['last_name'] }},
            case when swapped_name_similarity >= {{ floor }} then swapped_name_similarity else 0 end
            * ({{ weights['first_name'] }} + {{ weights['last_name'] }}),
            case
                when is_name_missing and (is_email_name_match or is_email_local_match)
                    then {{ weights['email_name'] }}
                else 0
            end
        ) as name_score,
        (first_name_similarity >= {{ floor }} and last_name_similarity >= {{ floor }})
        or swapped_name_similarity >= {{ floor }} as is_name_match,
        has_both_first_names
        and first_name_similarity < {{ floor }}
        and swapped_name_similarity < {{ floor }} as is_first_name_mismatch,
        has_both_last_names
        and last_name_similarity < {{ floor }}
        and swapped_name_similarity < {{ floor }} as is_last_name_mismatch
    from features
),

scored as (
    select
        *,
        case when is_linked_id_match then {{ weights['linked_id'] }} else 0 end
        + case when is_email_evidence then {{ weights['email'] }} else 0 end
        + case when is_phone_match then {{ weights['phone'] }} else 0 end
        + case when is_mobile_match and is_name_match then {{ weights['mobile_name'] }} else 0 end
        + name_score
        + case when street_similarity >= {{ floor }} then street_similarity * {{ weights['street'] }} else 0 end
        + case when is_postal_code_match then {{ weights['postcode'] }} else 0 end
        + case
            when is_birth_date_match then {{ weights['birth_date'] }}
            when is_birth_date_swapped_match then {{ weights['birth_date_swapped'] }}
            when is_birth_year_match then {{ weights['birth_year'] }}
            else 0
        end
        + case when is_first_name_mismatch then {{ weights['first_name_mismatch'] }} else 0 end
        + case when is_last_name_mismatch then {{ weights['last_name_mismatch'] }} else 0 end
        + case when is_country_conflict then {{ weights['country_conflict'] }} else 0 end
        + case
            when is_email_conflict and not is_email_local_match then {{ weights['email_conflict'] }} else 0
        end
        + case when is_phone_conflict then {{ weights['phone_conflict'] }} else 0 end
        + case when is_street_conflict then {{ weights['street_conflict'] }} else 0 end
            as match_score,
        is_birth_date_conflict
        or is_birth_year_conflict
        or (
            is_household_namesake
            and not (
                is_email_match
                or is_mobile_match
                or is_birth_date_match
                or is_birth_date_swapped_match
                or is_linked_id_match
            )
        ) as is_never_match
    from name_scored
),

decided as (
    select
        *,
        match_score >= {{ weights['match_threshold'] }} and not is_never_match as is_match,
        case
            when is_linked_id_match then 'linked_id'
            when is_email_evidence and is_name_match then 'email+name'
            when is_email_evidence and is_name_missing then 'email+nameless'
            when is_phone_match and is_name_match and (is_birth_date_match or is_birth_date_swapped_match)
                then 'phone+name+dob'
            when is_name_match and (is_birth_date_match or is_birth_date_swapped_match) then 'name+dob'
            when is_mobile_match and is_name_match then 'mobile+name'
            when is_phone_match and is_name_match then 'phone+name'
            when is_name_match and (is_postal_code_match or street_similarity >= {{ floor }})
                then 'fuzzy_name+address'
            when is_email_evidence then 'email'
            when is_name_missing and (is_email_name_match or is_email_local_match) and is_birth_year_match
                then 'email_name+birth_year'
            when is_phone_match then 'phone'
            else 'weak'
        end as match_rule
    from scored
),

final as (
    select
        contact_id_a,
        contact_id_b,
        blocking_keys,
        is_linked_id_match,
        is_email_match,
        is_email_as_written_match,
        is_email_evidence,
        is_phone_match,
        is_mobile_match,
        is_phone_conflict,
        is_email_local_match,
        is_email_name_match,
        is_email_full_name_match,
        is_nick_name_match,
        is_first_name_spelled,
        is_network_match,
        is_email_conflict,
        is_country_conflict,
        is_birth_year_match,
        first_name_similarity,
        last_name_similarity,
        swapped_name_similarity,
        street_similarity,
        is_postal_code_match,
        is_postal_code_conflict,
        is_street_conflict,
        is_birth_date_match,
        is_birth_date_swapped_match,
        is_birth_date_conflict,
        is_birth_year_conflict,
        is_household_namesake,
        is_name_missing,
        is_name_match,
        is_first_name_mismatch,
        is_last_name_mismatch,
        name_score,
        match_score,
        is_never_match,
        is_match,
        match_rule
    from decided
)

select * from final
