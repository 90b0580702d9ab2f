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
-- Last, an account without names that no rule matched (typically a game account registered with another
-- e-mail) joins a customer when its e-mail local part spells that customer's names, the birth years agree,
-- the countries do not conflict, and exactly one customer qualifies: decided per customer rather than per
-- pair, because a name and a birth year alone are shared by many people in a large population
-- (resolution_status 'attached_by_email_name').
{%- set iterations = var('c360_identity_cluster_iterations') %}
{%- set strong_rules = "'" ~ var('c360_identity_strong_rules') | join("', '") ~ "'" %}

with

contacts as (
    select
        contact_id,
        known_birth_year,
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

-- Unmatched accounts without names, and the customers whose named records their e-mail spells.
orphans as (
    select capped.contact_id
    from capped
    inner join contacts
        on capped.contact_id = contacts.contact_id
    where contacts.is_nameless and capped.propagated_cluster_size = 1
),

-- Edges whose e-mail spells the other side's names, same birth year, no conflict, from both ends.
orphan_edge_ends as (
    select
        contact_id_a as contact_id,
        contact_id_b as other_contact_id
    from scored_edges
    where
        is_email_name_match
        and is_birth_year_match
        and not is_country_conflict
        and not is_never_match

    union all

    select
        contact_id_b as contact_id,
        contact_id_a as other_contact_id
    from scored_edges
    where
        is_email_name_match
        and is_birth_year_match
        and not is_country_conflict
        and not is_never_match
),

orphan_candidates as (
    select
        orphans.contact_id,
        capped.capped_cluster_label as candidate_cluster_label
    from orphan_edge_ends
    inner join orphans
        on orphan_edge_ends.contact_id = orphans.contact_id
    inner join capped
        on orphan_edge_ends.other_contact_id = capped.contact_id
    inner join contacts as candidates
        on capped.contact_id = candidates.contact_id
    where not candidates.is_nameless and not capped.is_in_oversized_cluster
),

orphan_attachments as (
    select
        contact_id,
        min(candidate_cluster_label) as attached_cluster_label
    from orphan_candidates
    group by contact_id
    having count(distinct candidate_cluster_label) = 1
),

attached as (
    select
        capped.contact_id,
        capped.propagated_cluster_label,
        capped.propagated_cluster_size,
        capped.strong_cluster_label,
        capped.is_in_oversized_cluster,
        orphan_attachments.contact_id is not null as is_attached_by_email_name,
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
            when is_attached_by_email_name then 'attached_by_email_name'
            when cluster_size > 1 then 'matched'
            else 'unmatched'
        end as resolution_status
    from relabelled
)

select * from final
