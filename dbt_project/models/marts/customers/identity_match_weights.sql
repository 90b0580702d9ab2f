-- The identity model this build learned (int_identity_fs_parameters), for people: per comparison level, how
-- often a true pair (m) and two different people among the candidate pairs (u) reach it, how often two
-- random contacts do, and the match weight in bits a pair gains or loses there. No customer data.
with

fs_parameters as (
    select * from {{ ref('int_identity_fs_parameters') }}
),

final as (
    select
        comparison_name,
        comparison_level,
        level_label,
        m_probability,
        u_probability,
        random_pair_u_probability,
        match_weight,
        candidate_pairs_at_level,
        em_iterations,
        last_change
    from fs_parameters
)

select * from final
