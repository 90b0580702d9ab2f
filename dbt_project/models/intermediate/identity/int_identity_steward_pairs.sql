-- Identity resolution, the data steward's decisions (seed identity_steward_overrides) as pairs of staged
-- contacts in the order every identity model uses (contact_id_a < contact_id_b), one row per pair. A pair
-- listed twice with different decisions is never_match: a wrong split is cheaper to mend than a wrong
-- merge. Pairs naming a contact that is not staged are left out. Read by int_identity_comparison_patterns
-- (labels for EM), int_identity_match_edges (edges) and int_identity_clusters (detaching).
with

overrides as (
    select * from {{ ref('identity_steward_overrides') }}
),

contacts as (
    select * from {{ ref('int_contacts_normalized') }}
),

final as (
    select
        least(overrides.contact_id_a, overrides.contact_id_b) as contact_id_a,
        greatest(overrides.contact_id_a, overrides.contact_id_b) as contact_id_b,
        max(overrides.decision) as steward_decision
    from overrides
    inner join contacts as contacts_a
        on overrides.contact_id_a = contacts_a.contact_id
    inner join contacts as contacts_b
        on overrides.contact_id_b = contacts_b.contact_id
    where
        overrides.contact_id_a <> overrides.contact_id_b
        and overrides.decision in ('always_match', 'never_match')
    group by
        least(overrides.contact_id_a, overrides.contact_id_b),
        greatest(overrides.contact_id_a, overrides.contact_id_b)
)

select * from final
