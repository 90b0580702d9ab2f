-- Identity resolution, step 5c (attach): accounts without names that no rule joined to a named record
-- (typically a game account registered with another e-mail), and the customer each joins; one row per
-- attached account. A cluster of such accounts (after int_identity_components_split; one alone, or several
-- sharing an e-mail) joins a customer when an account's e-mail local part or gamer tag spells that
-- customer's names, every birth year the customer's records give equals the account's, the countries do not
-- conflict, and exactly one customer qualifies on the strongest evidence found: first the e-mail spelling
-- first and last name or the tag spelling the first name and the start of the last name (evidence_rank 1),
-- else the e-mail spelling initial and last name (2).
-- Decided per customer rather than per pair, because a name and a birth year alone are shared by many
-- people in a large population (resolution_status 'attached_by_email_name'). Stronger than all of these
-- (evidence_rank 0) is a home connection shared with one of the customer's shop accounts
-- (int_identity_shared_networks, flagged by int_identity_edges_scored.is_network_match) beside the full name
-- spelled, or the first name spelled and the same birth year: a household's evidence, which makes a namesake
-- elsewhere irrelevant, so it needs no rare name (resolution_status 'attached_by_shared_network'). No
-- attachment where a birth year in the customer differs from the account's, nor from or to a cluster split
-- for its size.

with

contacts as (
    select
        contact_id,
        known_birth_year,
        first_name_key,
        last_name_key,
        email_local_key,
        nick_name_key,
        address_1_country as country,
        first_name_canonical is null and last_name_normalized is null as is_nameless
    from {{ ref('int_contacts_normalized') }}
),

components as (
    select * from {{ ref('int_identity_components_split') }}
),

scored_edges as (
    select * from {{ ref('int_identity_edges_scored') }}
),

-- Clusters without a named record (an account without names, or several sharing an e-mail), and the
-- customers whose named records their e-mail or gamer tag spells. The birth years a cluster's records give:
-- an orphan's own year must not conflict with its customer's.
split_clusters as (
    select
        components.split_cluster_label,
        max(case when contacts.is_nameless then 0 else 1 end) = 0 as is_nameless_cluster,
        min(contacts.known_birth_year) as min_birth_year,
        max(contacts.known_birth_year) as max_birth_year,
        min(contacts.country) as min_country,
        max(contacts.country) as max_country
    from components
    inner join contacts
        on components.contact_id = contacts.contact_id
    group by components.split_cluster_label
),

orphan_clusters as (
    select
        components.contact_id,
        components.split_cluster_label as orphan_cluster_label
    from components
    inner join split_clusters
        on components.split_cluster_label = split_clusters.split_cluster_label
    where split_clusters.is_nameless_cluster and not components.is_in_oversized_cluster
),

-- Evidence 0, per pair: the nameless account shares a home connection with a named record, and its e-mail
-- spells first and last name, its tag spells the first name and the start of the last name, or its e-mail
-- or tag holds the first name and the birth years agree. None with a country or birth year conflict.
network_evidence as (
    select
        contact_id_a,
        contact_id_b
    from scored_edges
    where
        coalesce(is_network_match, false)
        and (
            coalesce(is_email_full_name_match, false)
            or coalesce(is_nick_name_match, false)
            or (is_birth_year_match and coalesce(is_first_name_spelled, false))
        )
        and not is_country_conflict
        and not coalesce(is_birth_date_conflict, false)
        and not coalesce(is_birth_year_conflict, false)
),

network_edge_ends as (
    select
        contact_id_a as contact_id,
        contact_id_b as other_contact_id
    from network_evidence

    union all

    select
        contact_id_b as contact_id,
        contact_id_a as other_contact_id
    from network_evidence
),

network_candidates as (
    select
        orphan_clusters.orphan_cluster_label,
        0 as evidence_rank,
        components.split_cluster_label as candidate_cluster_label
    from network_edge_ends
    inner join orphan_clusters
        on network_edge_ends.contact_id = orphan_clusters.contact_id
    inner join contacts as orphan_contacts
        on network_edge_ends.contact_id = orphan_contacts.contact_id
    inner join components
        on network_edge_ends.other_contact_id = components.contact_id
    inner join contacts as candidates
        on components.contact_id = candidates.contact_id
    inner join split_clusters as candidate_clusters
        on components.split_cluster_label = candidate_clusters.split_cluster_label
    where
        not candidates.is_nameless
        and not components.is_in_oversized_cluster
        and not coalesce(
            orphan_contacts.known_birth_year <> candidate_clusters.min_birth_year
            or orphan_contacts.known_birth_year <> candidate_clusters.max_birth_year,
            false
        )
),

-- The spellings of each customer's names that an e-mail or a tag may show: full (first + last, last + first;
-- a tag's first name + start of the last name) or initial + last name (e-mail only).
{%- set email_spellings = email_name_spellings('contacts.first_name_key', 'contacts.last_name_key') %}
{%- set spellings = [] %}
{%- for spelling in email_spellings[:2] %}{% do spellings.append(('email', true, spelling)) %}{% endfor %}
{%- for spelling in email_spellings[2:] %}{% do spellings.append(('email', false, spelling)) %}{% endfor %}
{%- for spelling in nick_name_spellings('contacts.first_name_key', 'contacts.last_name_key') %}
    {%- do spellings.append(('nick', true, spelling)) %}
{%- endfor %}
name_spellings as (
    {% for key_kind, is_full_spelling, spelling in spellings %}
        select
            components.split_cluster_label,
            components.is_in_oversized_cluster,
            '{{ key_kind }}' as key_kind,
            {{ is_full_spelling }} as is_full_spelling,
            {{ spelling }} as name_spelling
        from components
        inner join contacts
            on components.contact_id = contacts.contact_id
        where contacts.first_name_key is not null and contacts.last_name_key is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- How many customers (any birth year) carry each spelling of a name that an e-mail or a tag may show.
name_spelling_customers as (
    select
        name_spelling,
        count(distinct split_cluster_label) as customer_count
    from name_spellings
    group by name_spelling
),

orphan_spelled_names as (
    {% for key_kind, key_column in [('email', 'email_local_key'), ('nick', 'nick_name_key')] %}
        select
            orphan_clusters.orphan_cluster_label,
            contacts.known_birth_year,
            contacts.country,
            '{{ key_kind }}' as key_kind,
            contacts.{{ key_column }} as name_spelling
        from orphan_clusters
        inner join contacts
            on orphan_clusters.contact_id = contacts.contact_id
        where contacts.{{ key_column }} is not null and contacts.known_birth_year is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- Evidence 1 and 2, per customer: the account's e-mail local part or tag spells a customer's names (1: the
-- full name, or the tag's first name + start of the last name; 2: the e-mail's initial + last name), and the
-- birth years that customer's records give all equal the account's. The years are the customer's, not one
-- record's: the record that spells the name may lack the year another record gives. None with a country
-- conflict.
spelling_candidates as (
    select distinct
        orphan_spelled_names.orphan_cluster_label,
        case when name_spellings.is_full_spelling then 1 else 2 end as evidence_rank,
        name_spellings.split_cluster_label as candidate_cluster_label,
        name_spelling_customers.customer_count as name_customer_count
    from orphan_spelled_names
    inner join name_spellings
        on
            orphan_spelled_names.name_spelling = name_spellings.name_spelling
            and orphan_spelled_names.key_kind = name_spellings.key_kind
    inner join name_spelling_customers
        on name_spellings.name_spelling = name_spelling_customers.name_spelling
    inner join split_clusters as candidate_clusters
        on name_spellings.split_cluster_label = candidate_clusters.split_cluster_label
    where
        not name_spellings.is_in_oversized_cluster
        and orphan_spelled_names.known_birth_year = candidate_clusters.min_birth_year
        and orphan_spelled_names.known_birth_year = candidate_clusters.max_birth_year
        and not coalesce(
            orphan_spelled_names.country <> candidate_clusters.min_country
            and orphan_spelled_names.country <> candidate_clusters.max_country,
            false
        )
),

-- Spelled names count only when few customers carry them: the commoner a name, the likelier a namesake born
-- the same year whom no other system knows (var c360_identity_attach_max_name_customers). Tried and
-- dropped: a name only one customer carries, where a birth year is missing on either side (scale 10: 37
-- true pairs for 53 false ones). A shared home connection needs no cap.
orphan_qualified_candidates as (
    select
        orphan_cluster_label,
        evidence_rank,
        candidate_cluster_label
    from network_candidates

    union all

    select
        orphan_cluster_label,
        evidence_rank,
        candidate_cluster_label
    from spelling_candidates
    where name_customer_count <= {{ var('c360_identity_attach_max_name_customers') }}
),

-- The strongest evidence an orphan cluster has; it joins a customer only when that one customer qualifies.
orphan_best_ranks as (
    select
        orphan_cluster_label,
        min(evidence_rank) as best_evidence_rank
    from orphan_qualified_candidates
    group by orphan_cluster_label
),

orphan_cluster_attachments as (
    select
        orphan_qualified_candidates.orphan_cluster_label,
        min(orphan_qualified_candidates.candidate_cluster_label) as attached_cluster_label,
        min(orphan_qualified_candidates.evidence_rank) as evidence_rank
    from orphan_qualified_candidates
    inner join orphan_best_ranks
        on
            orphan_qualified_candidates.orphan_cluster_label = orphan_best_ranks.orphan_cluster_label
            and orphan_qualified_candidates.evidence_rank = orphan_best_ranks.best_evidence_rank
    group by orphan_qualified_candidates.orphan_cluster_label
    having count(distinct orphan_qualified_candidates.candidate_cluster_label) = 1
),

final as (
    select
        orphan_clusters.contact_id,
        orphan_clusters.orphan_cluster_label,
        orphan_cluster_attachments.attached_cluster_label,
        orphan_cluster_attachments.evidence_rank
    from orphan_clusters
    inner join orphan_cluster_attachments
        on orphan_clusters.orphan_cluster_label = orphan_cluster_attachments.orphan_cluster_label
)

select * from final
