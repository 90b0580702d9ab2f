-- Identity resolution, step 5 (cluster): connected components of the match edges by iterated min-label
-- propagation. Every contact starts with its own id as label; each pass gives every contact the smallest
-- label among itself and its neighbours. After as many passes as the longest shortest path from a
-- cluster's smallest id, all members carry that id. The passes are unrolled into
-- var('c360_identity_cluster_iterations') plain joins (no recursive CTE), so Spark SQL runs them too; the
-- test assert_identity_clusters_converged fails when a pass more would still change a label.
-- Guards after clustering: clusters larger than var('c360_identity_max_cluster_size') are split into
-- single contacts (a chain of weak matches, not a person), and a steward's never_match pair that still
-- shares a cluster through other records has its second contact detached. A cluster whose members give two
-- different birth years (a weak match chained two people) falls back to its components over the strong edges
-- only (linked id, e-mail + name, name + birth date, a steward's always_match); propagated_cluster_label stays
-- the label over all edges. The size cap and the steward detach are listed in identity_cluster_warnings.
-- Last, a cluster of accounts without names that no rule joined to a named record (typically a game account
-- registered with another e-mail) joins a customer when an account's e-mail local part or gamer tag spells
-- that customer's names, every birth year the customer's records give equals the account's, the countries do
-- not conflict, and exactly one customer qualifies on the strongest evidence found: first the e-mail
-- spelling first and last name or the tag spelling the first name and the start of the last name, else the
-- e-mail spelling initial and last name.
-- Decided per customer rather than per pair, because a name and a birth year alone are shared by many
-- people in a large population (resolution_status 'attached_by_email_name'). Stronger than all of these is
-- a home connection shared with one of the customer's shop accounts (int_identity_shared_networks) beside
-- the full name spelled, or the first name spelled and the same birth year: a household's evidence, which
-- makes a namesake elsewhere irrelevant, so it needs no rare name (resolution_status
-- 'attached_by_shared_network'). No attachment where a birth year in the customer differs from the account's.
{%- set iterations = var('c360_identity_cluster_iterations') %}
{%- set strong_rules = "'" ~ var('c360_identity_strong_rules') | join("', '") ~ "'" %}

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

scored_edges as (
    select * from {{ ref('int_identity_edges_scored') }}
),

match_edges as (
    select * from {{ ref('int_identity_match_edges') }}
),

overrides as (
    select * from {{ ref('identity_steward_overrides') }}
),

-- Both directions of every edge, plus each matched contact to itself so it keeps its own label in the minimum.
-- Contacts without an edge are their own cluster and skip the passes.
neighbours as (
    select
        contact_id_a as contact_id,
        contact_id_b as neighbour_id
    from match_edges

    union all

    select
        contact_id_b as contact_id,
        contact_id_a as neighbour_id
    from match_edges
),

linked_contacts as (
    select distinct contact_id from neighbours
),

neighbours_and_self as (
    select
        contact_id,
        neighbour_id
    from neighbours

    union all

    select
        contact_id,
        contact_id as neighbour_id
    from linked_contacts
),

labels_0 as (
    select
        contact_id,
        contact_id as cluster_label
    from linked_contacts
),

{% for pass_number in range(1, iterations + 1) %}
    labels_{{ pass_number }} as (
        select
            neighbours_and_self.contact_id,
            min(labels_{{ pass_number - 1 }}.cluster_label) as cluster_label
        from neighbours_and_self
        inner join labels_{{ pass_number - 1 }}
            on neighbours_and_self.neighbour_id = labels_{{ pass_number - 1 }}.contact_id
        group by neighbours_and_self.contact_id
    ),

{% endfor %}

-- The same passes over the strong edges only (one system's link, same e-mail and name, name and birth date,
-- a steward's always_match): the fallback for a cluster whose members give two birth years.
strong_neighbours as (
    select
        contact_id_a as contact_id,
        contact_id_b as neighbour_id
    from match_edges
    where match_rule in ({{ strong_rules }})

    union all

    select
        contact_id_b as contact_id,
        contact_id_a as neighbour_id
    from match_edges
    where match_rule in ({{ strong_rules }})
),

strong_neighbours_and_self as (
    select
        contact_id,
        neighbour_id
    from strong_neighbours

    union all

    select distinct
        contact_id,
        contact_id as neighbour_id
    from strong_neighbours
),

strong_labels_0 as (
    select distinct
        contact_id,
        contact_id as cluster_label
    from strong_neighbours
),

{% for pass_number in range(1, iterations + 1) %}
    strong_labels_{{ pass_number }} as (
        select
            strong_neighbours_and_self.contact_id,
            min(strong_labels_{{ pass_number - 1 }}.cluster_label) as cluster_label
        from strong_neighbours_and_self
        inner join strong_labels_{{ pass_number - 1 }}
            on strong_neighbours_and_self.neighbour_id = strong_labels_{{ pass_number - 1 }}.contact_id
        group by strong_neighbours_and_self.contact_id
    ),

{% endfor %}

propagated_all as (
    select
        contacts.contact_id,
        coalesce(labels_{{ iterations }}.cluster_label, contacts.contact_id) as propagated_cluster_label,
        coalesce(strong_labels_{{ iterations }}.cluster_label, contacts.contact_id) as strong_cluster_label,
        contacts.known_birth_year
    from contacts
    left join labels_{{ iterations }}
        on contacts.contact_id = labels_{{ iterations }}.contact_id
    left join strong_labels_{{ iterations }}
        on contacts.contact_id = strong_labels_{{ iterations }}.contact_id
),

propagated as (
    select
        *,
        min(known_birth_year) over (partition by propagated_cluster_label)
        < max(known_birth_year) over (partition by propagated_cluster_label) as has_birth_year_conflict
    from propagated_all
),

sized as (
    select
        contact_id,
        propagated_cluster_label,
        count(*) over (partition by propagated_cluster_label) as propagated_cluster_size,
        has_birth_year_conflict,
        strong_cluster_label
    from propagated
),

capped as (
    select
        contact_id,
        propagated_cluster_label,
        propagated_cluster_size,
        strong_cluster_label,
        propagated_cluster_size > {{ var('c360_identity_max_cluster_size') }} as is_in_oversized_cluster,
        case
            when propagated_cluster_size > {{ var('c360_identity_max_cluster_size') }} then contact_id
            when has_birth_year_conflict then strong_cluster_label
            else propagated_cluster_label
        end as capped_cluster_label
    from sized
),

-- Clusters without a named record (an account without names, or several sharing an e-mail), and the
-- customers whose named records their e-mail or gamer tag spells. The birth years a cluster's records give:
-- an orphan's own year must not conflict with its customer's.
capped_clusters as (
    select
        capped.capped_cluster_label,
        max(case when contacts.is_nameless then 0 else 1 end) = 0 as is_nameless_cluster,
        min(contacts.known_birth_year) as min_birth_year,
        max(contacts.known_birth_year) as max_birth_year,
        min(contacts.country) as min_country,
        max(contacts.country) as max_country
    from capped
    inner join contacts
        on capped.contact_id = contacts.contact_id
    group by capped.capped_cluster_label
),

orphan_clusters as (
    select
        capped.contact_id,
        capped.capped_cluster_label as orphan_cluster_label
    from capped
    inner join capped_clusters
        on capped.capped_cluster_label = capped_clusters.capped_cluster_label
    where capped_clusters.is_nameless_cluster and not capped.is_in_oversized_cluster
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
        capped.capped_cluster_label as candidate_cluster_label
    from network_edge_ends
    inner join orphan_clusters
        on network_edge_ends.contact_id = orphan_clusters.contact_id
    inner join contacts as orphan_contacts
        on network_edge_ends.contact_id = orphan_contacts.contact_id
    inner join capped
        on network_edge_ends.other_contact_id = capped.contact_id
    inner join contacts as candidates
        on capped.contact_id = candidates.contact_id
    inner join capped_clusters as candidate_clusters
        on capped.capped_cluster_label = candidate_clusters.capped_cluster_label
    where
        not candidates.is_nameless
        and not capped.is_in_oversized_cluster
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
            capped.capped_cluster_label,
            capped.is_in_oversized_cluster,
            '{{ key_kind }}' as key_kind,
            {{ is_full_spelling }} as is_full_spelling,
            {{ spelling }} as name_spelling
        from capped
        inner join contacts
            on capped.contact_id = contacts.contact_id
        where contacts.first_name_key is not null and contacts.last_name_key is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- How many customers (any birth year) carry each spelling of a name that an e-mail or a tag may show.
name_spelling_customers as (
    select
        name_spelling,
        count(distinct capped_cluster_label) as customer_count
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
        name_spellings.capped_cluster_label as candidate_cluster_label,
        name_spelling_customers.customer_count as name_customer_count
    from orphan_spelled_names
    inner join name_spellings
        on
            orphan_spelled_names.name_spelling = name_spellings.name_spelling
            and orphan_spelled_names.key_kind = name_spellings.key_kind
    inner join name_spelling_customers
        on name_spellings.name_spelling = name_spelling_customers.name_spelling
    inner join capped_clusters as candidate_clusters
        on name_spellings.capped_cluster_label = candidate_clusters.capped_cluster_label
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

orphan_attachments as (
    select
        orphan_clusters.contact_id,
        orphan_cluster_attachments.attached_cluster_label,
        orphan_cluster_attachments.evidence_rank
    from orphan_clusters
    inner join orphan_cluster_attachments
        on orphan_clusters.orphan_cluster_label = orphan_cluster_attachments.orphan_cluster_label
),

attached as (
    select
        capped.contact_id,
        capped.propagated_cluster_label,
        capped.propagated_cluster_size,
        capped.strong_cluster_label,
        capped.is_in_oversized_cluster,
        coalesce(orphan_attachments.evidence_rank > 0, false) as is_attached_by_email_name,
        coalesce(orphan_attachments.evidence_rank = 0, false) as is_attached_by_shared_network,
        coalesce(orphan_attachments.attached_cluster_label, capped.capped_cluster_label) as capped_cluster_label
    from capped
    left join orphan_attachments
        on capped.contact_id = orphan_attachments.contact_id
),

never_match_pairs as (
    select distinct
        least(contact_id_a, contact_id_b) as contact_id_a,
        greatest(contact_id_a, contact_id_b) as contact_id_b
    from overrides
    where decision = 'never_match'
),

steward_detached as (
    select distinct never_match_pairs.contact_id_b as contact_id
    from never_match_pairs
    inner join attached as attached_a
        on never_match_pairs.contact_id_a = attached_a.contact_id
    inner join attached as attached_b
        on never_match_pairs.contact_id_b = attached_b.contact_id
    where attached_a.capped_cluster_label = attached_b.capped_cluster_label
),

guarded as (
    select
        attached.contact_id,
        attached.propagated_cluster_label,
        attached.propagated_cluster_size,
        attached.strong_cluster_label,
        attached.is_in_oversized_cluster,
        attached.is_attached_by_email_name,
        attached.is_attached_by_shared_network,
        steward_detached.contact_id is not null as is_steward_detached,
        case
            when steward_detached.contact_id is not null
                then {{ dbt.concat(["'detached:'", 'attached.contact_id']) }}
            else attached.capped_cluster_label
        end as guarded_cluster_label
    from attached
    left join steward_detached
        on attached.contact_id = steward_detached.contact_id
),

-- A cluster's label is its smallest member id (a detached contact may have been the smallest; its own
-- temporary label is prefixed so it cannot collide with the label the rest of its old cluster keeps).
relabelled as (
    select
        *,
        min(contact_id) over (partition by guarded_cluster_label) as cluster_label,
        count(*) over (partition by guarded_cluster_label) as cluster_size
    from guarded
),

final as (
    select
        contact_id,
        cluster_label,
        cluster_size,
        propagated_cluster_label,
        propagated_cluster_size,
        strong_cluster_label,
        case
            when is_in_oversized_cluster then 'oversized_cluster_split'
            when is_steward_detached then 'steward_never_match_detached'
            when is_attached_by_shared_network then 'attached_by_shared_network'
            when is_attached_by_email_name then 'attached_by_email_name'
            when cluster_size > 1 then 'matched'
            else 'unmatched'
        end as resolution_status
    from relabelled
)

select * from final
