-- Identity resolution, step 5b (guard): the connected components split where they cannot be one person.
-- A component larger than var('c360_identity_max_cluster_size') is split into single contacts (a chain of
-- weak matches, not a person; listed in identity_cluster_warnings). A component whose members give two
-- birth years that no single typo explains (a weak match chained two people) falls back to its components
-- over the strong edges only (strong_cluster_label). A typo is the last digit (1985 / 1986) or the last two
-- digits swapped (1985 / 1958): a person's own records carry those, and they must not split him. Any other
-- component stays whole.
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

component_years as (
    select distinct
        labels.propagated_cluster_label,
        {{ dbt.cast('contacts.known_birth_year', dbt.type_string()) }} as birth_year
    from labels
    inner join contacts
        on labels.contact_id = contacts.contact_id
    where contacts.known_birth_year is not null
),

conflicting_components as (
    select distinct years_a.propagated_cluster_label
    from component_years as years_a
    inner join component_years as years_b
        on
            years_a.propagated_cluster_label = years_b.propagated_cluster_label
            and years_a.birth_year < years_b.birth_year
    where not (
        substring(years_a.birth_year, 1, 3) = substring(years_b.birth_year, 1, 3)
        or (
            substring(years_a.birth_year, 1, 2) = substring(years_b.birth_year, 1, 2)
            and substring(years_a.birth_year, 3, 1) = substring(years_b.birth_year, 4, 1)
            and substring(years_a.birth_year, 4, 1) = substring(years_b.birth_year, 3, 1)
        )
    )
),

checked as (
    select
        labels.contact_id,
        labels.propagated_cluster_label,
        labels.propagated_cluster_size,
        labels.strong_cluster_label,
        labels.propagated_cluster_size > {{ max_cluster_size }} as is_in_oversized_cluster,
        conflicting_components.propagated_cluster_label is not null as has_birth_year_conflict
    from labels
    left join conflicting_components
        on labels.propagated_cluster_label = conflicting_components.propagated_cluster_label
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
