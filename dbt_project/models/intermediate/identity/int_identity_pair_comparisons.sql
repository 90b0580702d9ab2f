-- Identity resolution, step 3a (compare): every candidate pair with both sides' attributes and, per
-- Fellegi-Sunter comparison (macro identity_comparisons), the level the pair reaches: `gamma_<comparison>`,
-- NULL where a side lacks the attribute. int_identity_fs_parameters learns what each level is worth from
-- these levels; int_identity_edges_scored adds the weights up and decides.
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
        {{ identity_pair_attributes('contacts_a', 'contacts_b') }},
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

final as (
    select
        *,
        -- Jaro-Winkler similarities the rules and the cluster guards read (null where a side lacks the value).
        {{ jaro_winkler_similarity('first_name_a', 'first_name_b') }} as first_name_similarity,
        {{ jaro_winkler_similarity('last_name_a', 'last_name_b') }} as last_name_similarity,
        (
            {{ jaro_winkler_similarity('first_name_a', 'last_name_b') }}
            + {{ jaro_winkler_similarity('last_name_a', 'first_name_b') }}
        ) / 2 as swapped_name_similarity,
        {{ jaro_winkler_similarity('street_a', 'street_b') }} as street_similarity,
        {{ identity_comparison_levels() }}
    from joined
)

select * from final
