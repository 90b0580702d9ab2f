-- Identity resolution, step 4 (decide): the edges clustering follows. The rules' matches from
-- int_identity_edges_scored, with the data steward's overrides applied on top: an always_match pair is an
-- edge whatever the rules said (even a pair blocking never compared), a never_match pair is never one.
with

scored_edges as (
    select * from {{ ref('int_identity_edges_scored') }}
),

steward_pairs as (
    select * from {{ ref('int_identity_steward_pairs') }}
),

decided as (
    select
        coalesce(scored_edges.contact_id_a, steward_pairs.contact_id_a) as contact_id_a,
        coalesce(scored_edges.contact_id_b, steward_pairs.contact_id_b) as contact_id_b,
        scored_edges.match_score,
        scored_edges.gamma_birth_date,
        steward_pairs.steward_decision,
        case
            when steward_pairs.steward_decision = 'always_match' then true
            when steward_pairs.steward_decision = 'never_match' then false
            else scored_edges.is_match
        end as is_match,
        case
            when steward_pairs.steward_decision is not null
                then {{ dbt.concat(["'steward_'", 'steward_pairs.steward_decision']) }}
            else scored_edges.match_rule
        end as match_rule
    from scored_edges
    full outer join steward_pairs
        on
            scored_edges.contact_id_a = steward_pairs.contact_id_a
            and scored_edges.contact_id_b = steward_pairs.contact_id_b
),

final as (
    select
        contact_id_a,
        contact_id_b,
        match_score,
        match_rule,
        gamma_birth_date is not null as is_decided_on_birth_years,
        steward_decision
    from decided
    where is_match
)

select * from final
