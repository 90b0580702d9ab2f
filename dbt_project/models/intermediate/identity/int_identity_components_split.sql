-- Identity resolution, step 5b (guard): the connected components split where they cannot be one person.
-- A component larger than var('c360_identity_max_cluster_size') is split into single contacts (a chain of
-- weak matches, not a person; listed in identity_cluster_warnings). A component whose members give two
-- different birth years (a weak match chained two people) falls back to its components over the strong
-- edges only (strong_cluster_label). Any other component stays whole.
{%- set max_cluster_size = var('c360_identity_max_cluster_size') %}

with

contacts as (
    select
        contact_id,
        known_birth_year
    from {{ ref('int_contacts_normalized') }}
),

labels as (
    select * from {{ ref('int_identity_labels_propagated') }}
),

checked as (
    select
        labels.contact_id,
        labels.propagated_cluster_label,
        labels.propagated_cluster_size,
        labels.strong_cluster_label,
        labels.propagated_cluster_size > {{ max_cluster_size }} as is_in_oversized_cluster,
        coalesce(
            min(contacts.known_birth_year) over (partition by labels.propagated_cluster_label)
            < max(contacts.known_birth_year) over (partition by labels.propagated_cluster_label),
            false
        ) as has_birth_year_conflict
    from labels
    inner join contacts
        on labels.contact_id = contacts.contact_id
),

final as (
    select
        contact_id,
        propagated_cluster_label,
        propagated_cluster_size,
        strong_cluster_label,
        is_in_oversized_cluster,
        has_birth_year_conflict,
        case
            when is_in_oversized_cluster then contact_id
            when has_birth_year_conflict then strong_cluster_label
            else propagated_cluster_label
        end as split_cluster_label
    from checked
)

select * from final
