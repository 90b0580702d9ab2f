-- Identity resolution, step 5a (cluster): connected components of the match edges by iterated min-label
-- propagation, once over all edges and once over the strong edges only (rules in
-- var('c360_identity_strong_rules'): linked id, e-mail + name, name + birth date, a steward's always_match;
-- any match of learned weight var('c360_identity_strong_match_weight') or more; and any match the score
-- made with both birth years in view, so that the birth-year guard splits only chains that join people
-- no single match compared).
-- Every contact starts with its own id as label; each pass gives every contact the smallest label among
-- itself and its neighbours. After as many passes as the longest shortest path from a component's smallest
-- id, all members carry that id. The passes are unrolled into var('c360_identity_cluster_iterations') plain
-- joins (no recursive CTE), so Spark SQL runs them too; each edge set has its own chain of passes (two
-- independent chains run faster than one over both sets keyed by set). The test
-- assert_identity_clusters_converged fails when a pass more would still change a label. Contacts without an
-- edge are their own component and skip the passes.
{%- set iterations = var('c360_identity_cluster_iterations') %}
{%- set strong_rules = "'" ~ var('c360_identity_strong_rules') | join("', '") ~ "'" %}
{%- set strong_filter = 'match_rule in (' ~ strong_rules ~ ') or coalesce(match_score >= '
    ~ var('c360_identity_strong_match_weight') ~ ', false) or coalesce(is_decided_on_birth_years, false)' %}
{%- set edge_sets = [('all_edges', 'true'), ('strong_edges', strong_filter)] %}

with

contacts as (
    select contact_id from {{ ref('int_contacts_normalized') }}
),

match_edges as (
    select * from {{ ref('int_identity_match_edges') }}
),

{% for edge_set, edge_filter in edge_sets %}
    -- {{ edge_set }}: both directions of every edge, plus each linked contact to itself so it keeps its own
    -- label in the minimum.
    {{ edge_set }}_neighbours as (
        select
            contact_id_a as contact_id,
            contact_id_b as neighbour_id
        from match_edges
        where {{ edge_filter }}

        union all

        select
            contact_id_b as contact_id,
            contact_id_a as neighbour_id
        from match_edges
        where {{ edge_filter }}
    ),

    {{ edge_set }}_linked_contacts as (
        select distinct contact_id from {{ edge_set }}_neighbours
    ),

    {{ edge_set }}_neighbours_and_self as (
        select
            contact_id,
            neighbour_id
        from {{ edge_set }}_neighbours

        union all

        select
            contact_id,
            contact_id as neighbour_id
        from {{ edge_set }}_linked_contacts
    ),

    {{ edge_set }}_labels_0 as (
        select
            contact_id,
            contact_id as cluster_label
        from {{ edge_set }}_linked_contacts
    ),

    {% for pass_number in range(1, iterations + 1) %}
        {%- set previous = edge_set ~ '_labels_' ~ (pass_number - 1) %}
        {{ edge_set }}_labels_{{ pass_number }} as (
            select
                {{ edge_set }}_neighbours_and_self.contact_id,
                min({{ previous }}.cluster_label) as cluster_label
            from {{ edge_set }}_neighbours_and_self
            inner join {{ previous }}
                on {{ edge_set }}_neighbours_and_self.neighbour_id = {{ previous }}.contact_id
            group by {{ edge_set }}_neighbours_and_self.contact_id
        ),

    {% endfor %}
{% endfor %}

labelled as (
    select
        contacts.contact_id,
        coalesce(all_edges_labels.cluster_label, contacts.contact_id) as propagated_cluster_label,
        coalesce(strong_edges_labels.cluster_label, contacts.contact_id) as strong_cluster_label
    from contacts
    left join all_edges_labels_{{ iterations }} as all_edges_labels
        on contacts.contact_id = all_edges_labels.contact_id
    left join strong_edges_labels_{{ iterations }} as strong_edges_labels
        on contacts.contact_id = strong_edges_labels.contact_id
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
