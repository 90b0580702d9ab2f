-- Clusters the identity guards broke up, for a data steward to review: clusters above
-- var('c360_identity_max_cluster_size') contacts (split into single contacts) and contacts detached
-- because a steward's never_match pair still shared a cluster. Empty when nothing needed a guard.
with

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

guarded as (
    select
        resolution_status as warning_type,
        propagated_cluster_label,
        max(propagated_cluster_size) as propagated_cluster_size,
        count(*) as contacts_affected,
        min(contact_id) as example_contact_id
    from clusters
    where resolution_status in ('oversized_cluster_split', 'steward_never_match_detached')
    group by resolution_status, propagated_cluster_label
),

final as (
    select
        warning_type,
        propagated_cluster_label as cluster_label,
        propagated_cluster_size as cluster_size,
        contacts_affected,
        example_contact_id,
        case
            when warning_type = 'oversized_cluster_split'
                then {{ dbt.concat([
                    "'cluster of '", dbt.cast('propagated_cluster_size', dbt.type_string()),
                    "' contacts is above c360_identity_max_cluster_size ('",
                    "'" ~ var('c360_identity_max_cluster_size') ~ "'",
                    "'); its contacts were kept as separate customers'",
                ]) }}
            else {{ dbt.concat([
                dbt.cast('contacts_affected', dbt.type_string()),
                "' contact(s) detached: a steward never_match pair was joined through other records'",
            ]) }}
        end as warning_message
    from guarded
)

select * from final
