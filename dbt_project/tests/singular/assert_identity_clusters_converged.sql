-- Min-label propagation has converged when the two ends of every match edge carry the same label: then
-- one more pass would change nothing. Checked for both propagations: over all match edges
-- (propagated_cluster_label) and over the strong edges (strong_cluster_label). Returns the edges that still
-- straddle two labels; if it fails, raise var('c360_identity_cluster_iterations') (clusters with longer
-- match chains need more passes).
with

match_edges as (
    select * from {{ ref('int_identity_match_edges') }}
),

clusters as (
    select * from {{ ref('int_identity_labels_propagated') }}
),

final as (
    select
        'all_edges' as propagation,
        match_edges.contact_id_a,
        match_edges.contact_id_b,
        clusters_a.propagated_cluster_label as label_a,
        clusters_b.propagated_cluster_label as label_b
    from match_edges
    inner join clusters as clusters_a
        on match_edges.contact_id_a = clusters_a.contact_id
    inner join clusters as clusters_b
        on match_edges.contact_id_b = clusters_b.contact_id
    where clusters_a.propagated_cluster_label <> clusters_b.propagated_cluster_label

    union all

    select
        'strong_edges' as propagation,
        match_edges.contact_id_a,
        match_edges.contact_id_b,
        clusters_a.strong_cluster_label as label_a,
        clusters_b.strong_cluster_label as label_b
    from match_edges
    inner join clusters as clusters_a
        on match_edges.contact_id_a = clusters_a.contact_id
    inner join clusters as clusters_b
        on match_edges.contact_id_b = clusters_b.contact_id
    where
        match_edges.match_rule in ({{ "'" ~ var('c360_identity_strong_rules') | join("', '") ~ "'" }})
        and clusters_a.strong_cluster_label <> clusters_b.strong_cluster_label
)

select * from final
