-- Identity resolution, step 5a (cluster): connected components of the match edges by iterated min-label
-- propagation, once over all edges and once over the strong edges only (rules in
-- var('c360_identity_strong_rules'): linked id, e-mail + name, name + birth date, a steward's always_match).
-- Every contact starts with its own id as label; each pass gives every contact the smallest label among
-- itself and its neighbours. After as many passes as the longest shortest path from a component's smallest
-- id, all members carry that id. The passes are unrolled into var('c360_identity_cluster_iterations') plain
-- joins (no recursive CTE), so Spark SQL runs them too; the two edge sets run side by side in the same
-- passes, told apart by edge_set. The test assert_identity_clusters_converged fails when a pass more would
-- still change a label. Contacts without an edge are their own component and skip the passes.
{%- set iterations = var('c360_identity_cluster_iterations') %}
{%- set strong_rules = "'" ~ var('c360_identity_strong_rules') | join("', '") ~ "'" %}

with

contacts as (
    select contact_id from {{ ref('int_contacts_normalized') }}
),

match_edges as (
    select * from {{ ref('int_identity_match_edges') }}
),

-- Every edge belongs to the set 'all'; an edge of a strong rule also to the set 'strong'.
edge_sets as (
    select
        'all' as edge_set,
        contact_id_a,
        contact_id_b
    from match_edges

    union all

    select
        'strong' as edge_set,
        contact_id_a,
        contact_id_b
    from match_edges
    where match_rule in ({{ strong_rules }})
),

-- Both directions of every edge, plus each linked contact to itself so it keeps its own label in the minimum.
neighbours as (
    select
        edge_set,
        contact_id_a as contact_id,
        contact_id_b as neighbour_id
    from edge_sets

    union all

    select
        edge_set,
        contact_id_b as contact_id,
        contact_id_a as neighbour_id
    from edge_sets
),

linked_contacts as (
    select distinct
        edge_set,
        contact_id
    from neighbours
),

neighbours_and_self as (
    select
        edge_set,
        contact_id,
        neighbour_id
    from neighbours

    union all

    select
        edge_set,
        contact_id,
        contact_id as neighbour_id
    from linked_contacts
),

labels_0 as (
    select
        edge_set,
        contact_id,
        contact_id as cluster_label
    from linked_contacts
),

{% for pass_number in range(1, iterations + 1) %}
    labels_{{ pass_number }} as (
        select
            neighbours_and_self.edge_set,
            neighbours_and_self.contact_id,
            min(labels_{{ pass_number - 1 }}.cluster_label) as cluster_label
        from neighbours_and_self
        inner join labels_{{ pass_number - 1 }}
            on
                neighbours_and_self.edge_set = labels_{{ pass_number - 1 }}.edge_set
                and neighbours_and_self.neighbour_id = labels_{{ pass_number - 1 }}.contact_id
        group by neighbours_and_self.edge_set, neighbours_and_self.contact_id
    ),

{% endfor %}

linked_labels as (
    select
        contact_id,
        min(case when edge_set = 'all' then cluster_label end) as all_edges_label,
        min(case when edge_set = 'strong' then cluster_label end) as strong_edges_label
    from labels_{{ iterations }}
    group by contact_id
),

labelled as (
    select
        contacts.contact_id,
        coalesce(linked_labels.all_edges_label, contacts.contact_id) as propagated_cluster_label,
        coalesce(linked_labels.strong_edges_label, contacts.contact_id) as strong_cluster_label
    from contacts
    left join linked_labels
        on contacts.contact_id = linked_labels.contact_id
),

final as (
    select
        contact_id,
        propagated_cluster_label,
        count(*) over (partition by propagated_cluster_label) as propagated_cluster_size,
        strong_cluster_label
    from labelled
)

select * from final
