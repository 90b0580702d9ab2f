-- Identity resolution, step 3e (score and decide): every candidate pair with its Fellegi-Sunter match weight
-- and the match decision. The weight (`match_score`, in bits) is the prior odds plus, per comparison, the
-- weight int_identity_fs_parameters learned for the level the pair reaches (int_identity_pair_comparisons),
-- with a term-frequency adjustment on exact first name, last name and birth date: agreeing on a value that
-- a share f of the contacts carry weighs log2(u_exact / f) more than the average agreement.
-- A pair matches when its match probability reaches var('c360_identity_fs').match_probability, or when one
-- record names the other as its link, and no never-match rule fires. Never-match rules (c360's customer
-- rules on top of the learned weights): two mobile numbers that differ while no number agrees (a person's
-- own number; a fixed line is a household's); two national ids more than one character apart, where var
-- c360_identity_fs.never_match_on_government_id says the ids are validated (off by default: in FEBRL a
-- duplicate's id is often replaced whole, so there it is learned evidence instead); and for two records of a
-- name that several people share at one postcode (household namesakes, see int_contacts_normalized), no
-- person-level evidence (same e-mail, mobile number, birth date, national id or linked id) and a learned
-- weight under var('c360_identity_strong_match_weight') (where birth years carry typos, a person's own
-- records look like namesakes; so much agreement elsewhere is his).
-- A birth date that differs is learned evidence against the pair (strong where the dates are far apart),
-- not a rule: a typo in one digit must not forbid a match. The flags below describe the pair for the
-- cluster guards (int_identity_clusters) and for `match_rule`; a record without names (a game account) is
-- compared by its e-mail local part and gamer tag: 'frank.mueller84' and 'frank_mue84' agree with Frank
-- Müller (used by int_identity_clusters to attach it), as does a home connection that a game and a shop
-- account share (is_network_match, a household's evidence).
{%- set fs = var('c360_identity_fs') %}
{%- set floor = fs['name_similarity_floor'] %}
{%- set comparisons = identity_comparisons() %}
{#- comparison -> (the value in int_contacts_normalized, the value of side a of a pair) -#}
{%- set term_frequencies = {
    'name': (dbt.concat(['first_name_key', "'|'", 'last_name_key']), dbt.concat(['named.first_name_a', "'|'", 'named.last_name_a'])),
    'birth_date': (dbt.cast('birth_date', dbt.type_string()), dbt.cast('named.birth_date_a', dbt.type_string())),
} %}

with

pair_comparisons as (
    select * from {{ ref('int_identity_pair_comparisons') }}
),

fs_parameters as (
    select * from {{ ref('int_identity_fs_parameters') }}
),

contacts as (
    select * from {{ ref('int_contacts_normalized') }}
),

prior_odds as (
    select match_weight as prior_weight from fs_parameters
    where comparison_name = '_prior'
),
{% for comparison_name, values in term_frequencies.items() %}

    {{ comparison_name }}_frequencies as (
        select
            {{ values[0] }} as term_value,
            count(*) * 1.0 / sum(count(*)) over () as term_frequency
        from contacts
        where {{ values[0] }} is not null
        group by {{ values[0] }}
    ),
{%- endfor %}

features as (
    select
        contact_id_a,
        contact_id_b,
        blocking_keys,
        is_network_match,
        {%- for comparison in comparisons %}
            gamma_{{ comparison.name }},
        {%- endfor %}
        first_name_a,
        first_name_b,
        last_name_a,
        last_name_b,
        birth_date_a,
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
        -- A mobile number on each side (a person's own), and no number agrees (with gamma_phone = 0).
        (
            coalesce(phone_line_type_a = 'mobile', false)
            or (mobile_a is not null and coalesce(mobile_line_type_a, 'mobile') = 'mobile')
        )
        and (
            coalesce(phone_line_type_b = 'mobile', false)
            or (mobile_b is not null and coalesce(mobile_line_type_b, 'mobile') = 'mobile')
        ) as is_mobile_conflict,
        coalesce(email_a <> email_b, false) as is_email_conflict,
        coalesce(country_a <> country_b, false) as is_country_conflict,
        coalesce(birth_year_a = birth_year_b, false) as is_birth_year_match,
        coalesce(linked_id_a = contact_id_b, false)
        or coalesce(linked_id_b = contact_id_a, false) as is_linked_id_match,
        coalesce(first_name_similarity, 0) as first_name_similarity,
        coalesce(last_name_similarity, 0) as last_name_similarity,
        coalesce(swapped_name_similarity, 0) as swapped_name_similarity,
        coalesce(street_similarity, 0) as street_similarity,
        coalesce(postal_code_a = postal_code_b, false) as is_postal_code_match,
        coalesce(postal_code_a = postal_code_b and street_similarity < {{ floor }}, false) as is_street_conflict,
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
    from pair_comparisons
),

-- Names as written, or swapped, similar enough (used by match_rule and by the cluster guards).
named as (
    select
        *,
        is_email_match
        and (is_email_as_written_match or not is_postal_code_conflict) as is_email_evidence,
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

weighted as (
    select
        named.*,
        prior_odds.prior_weight
        {%- for comparison in comparisons %}
            + coalesce(weight_{{ comparison.name }}.match_weight, 0.0)
        {%- endfor %}
        {%- for comparison_name in term_frequencies %}
            + case
                when named.gamma_{{ comparison_name }} = {{ identity_comparison_level_numbers(
                        comparisons | selectattr('name', 'equalto', comparison_name) | first) | first }}
                    then log2(
                        weight_{{ comparison_name }}.random_pair_u_probability
                        / {{ comparison_name }}_frequencies.term_frequency
                    )
                else 0.0
            end
        {%- endfor %} as match_score
    from named
    cross join prior_odds
    {%- for comparison in comparisons %}
        left join fs_parameters as weight_{{ comparison.name }}
            on
                named.gamma_{{ comparison.name }} = weight_{{ comparison.name }}.comparison_level
                and weight_{{ comparison.name }}.comparison_name = '{{ comparison.name }}'
    {%- endfor %}
    {%- for comparison_name in term_frequencies %}
        left join {{ comparison_name }}_frequencies
            on {{ term_frequencies[comparison_name][1] }} = {{ comparison_name }}_frequencies.term_value
    {%- endfor %}
),

scored as (
    select
        *,
        1.0 / (1.0 + power(2.0, -greatest(least(match_score, 60.0), -60.0))) as match_probability,
        {%- if fs['never_match_on_government_id'] %}
            coalesce(gamma_government_id = 0, false) or
        {%- endif %}
        (gamma_phone = 0 and is_mobile_conflict)
        or (
            is_household_namesake
            and match_score < {{ var('c360_identity_strong_match_weight') }}
            and not (
                is_email_match
                or is_mobile_match
                or is_birth_date_match
                or is_birth_date_swapped_match
                or is_linked_id_match
                or coalesce(gamma_government_id >= 1, false)
            )
        ) as is_never_match,
        -- One attribute agreeing is never one person on its own, however rare the value: a shared birth date
        -- or address with all else different is two people. An identifier (e-mail, mobile number, national
        -- id, a linked id) may stand alone.
        not (
            is_linked_id_match
            or coalesce(gamma_email >= 2, false)
            or coalesce(gamma_phone = 2, false)
            or coalesce(gamma_government_id = 2, false)
        )
        and (
            case when coalesce(gamma_name >= 2, false) then 1 else 0 end
            + case when coalesce(gamma_birth_date >= 1, false) then 1 else 0 end
            + case when coalesce(gamma_address >= 1 or gamma_city >= 1, false) then 1 else 0 end
            + case when coalesce(gamma_email >= 1, false) then 1 else 0 end
            + case when coalesce(gamma_phone >= 1, false) then 1 else 0 end
            + case when coalesce(gamma_government_id >= 1, false) then 1 else 0 end
        ) < 2 as is_single_attribute
    from weighted
),

decided as (
    select
        *,
        not is_never_match
        and (
            is_linked_id_match
            or (match_probability >= {{ fs['match_probability'] }} and not is_single_attribute)
        ) as is_match,
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
        is_mobile_conflict,
        {%- for comparison in comparisons %}
            gamma_{{ comparison.name }},
        {%- endfor %}
        match_score,
        match_probability,
        is_never_match,
        is_single_attribute,
        is_match,
        match_rule
    from decided
)

select * from final
