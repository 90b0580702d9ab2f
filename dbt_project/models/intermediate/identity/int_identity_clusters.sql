-- Identity resolution, step 5d (cluster): every staged contact with its final cluster. The connected
-- components of the match edges (int_identity_labels_propagated), split where they cannot be one person
-- (int_identity_components_split: above the size cap, or two birth years), with the accounts without names
-- attached to the customer they spell (int_identity_accounts_attached). Last guard: a steward's never_match
-- pair that still shares a cluster through other records has its second contact detached (listed, with the
-- size cap, in identity_cluster_warnings). A cluster is named by its smallest contact id, and each contact
-- says how it got there (resolution_status).

with

components as (
    select * from {{ ref('int_identity_components_split') }}
),

accounts_attached as (
    select * from {{ ref('int_identity_accounts_attached') }}
),

steward_pairs as (
    select * from {{ ref('int_identity_steward_pairs') }}
),

attached as (
    select
        components.contact_id,
        components.propagated_cluster_label,
        components.propagated_cluster_size,
        components.strong_cluster_label,
        components.is_in_oversized_cluster,
        coalesce(accounts_attached.evidence_rank > 0, false) as is_attached_by_email_name,
        coalesce(accounts_attached.evidence_rank = 0, false) as is_attached_by_shared_network,
        coalesce(accounts_attached.attached_cluster_label, components.split_cluster_label) as attached_cluster_label
    from components
    left join accounts_attached
        on components.contact_id = accounts_attached.contact_id
),

never_match_pairs as (
    select
        contact_id_a,
        contact_id_b
    from steward_pairs
    where steward_decision = 'never_match'
),

steward_detached as (
    select distinct never_match_pairs.contact_id_b as contact_id
    from never_match_pairs
    inner join attached as attached_a
        on never_match_pairs.contact_id_a = attached_a.contact_id
    inner join attached as attached_b
        on never_match_pairs.contact_id_b = attached_b.contact_id
    where attached_a.attached_cluster_label = attached_b.attached_cluster_label
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
            else attached.attached_cluster_label
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
