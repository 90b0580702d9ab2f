-- Every staged contact exactly once, with the customer it belongs to and how it got there: the strongest
-- match edge that ties it to another member of its cluster (score and rule), or why it stands alone.
-- The way from any source id (an order's customer, a click's shop account, an exposure's recipient, a
-- game player) to customer_id.
with

contacts as (
    select * from {{ ref('int_contacts_normalized') }}
),

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

assignments as (
    select * from {{ ref('int_customer_ids_assigned') }}
),

match_edges as (
    select * from {{ ref('int_identity_match_edges') }}
),

edge_ends as (
    select
        contact_id_a as contact_id,
        contact_id_b as other_contact_id,
        match_score,
        match_rule
    from match_edges

    union all

    select
        contact_id_b as contact_id,
        contact_id_a as other_contact_id,
        match_score,
        match_rule
    from match_edges
),

-- The edge counts only when both ends stayed in one cluster (not split by the size cap or a steward).
edges_within_cluster as (
    select
        edge_ends.contact_id,
        edge_ends.match_score,
        edge_ends.match_rule,
        row_number() over (
            partition by edge_ends.contact_id
            order by edge_ends.match_score desc nulls first, edge_ends.match_rule asc, edge_ends.other_contact_id asc
        ) as edge_rank
    from edge_ends
    inner join clusters as own_cluster
        on edge_ends.contact_id = own_cluster.contact_id
    inner join clusters as other_cluster
        on edge_ends.other_contact_id = other_cluster.contact_id
    where own_cluster.cluster_label = other_cluster.cluster_label
),

final as (
    select
        contacts.contact_id,
        contacts.source_system,
        contacts.source_record_id,
        assignments.customer_id,
        best_edge.match_score,
        coalesce(best_edge.match_rule, clusters.resolution_status) as match_rule,
        clusters.resolution_status,
        clusters.cluster_size,
        assignments.contact_first_seen_at
    from contacts
    inner join clusters
        on contacts.contact_id = clusters.contact_id
    inner join assignments
        on contacts.contact_id = assignments.contact_id
    left join edges_within_cluster as best_edge
        on contacts.contact_id = best_edge.contact_id and best_edge.edge_rank = 1
)

select * from final
