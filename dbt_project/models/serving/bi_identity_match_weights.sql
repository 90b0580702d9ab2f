-- The learned identity weights for BI tools (marts.identity_match_weights): one row per comparison level
-- and its match weight, to chart as a match-weight chart. No customer data.
with

match_weights as (
    select * from {{ ref('identity_match_weights') }}
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
        candidate_pairs_at_level
    from match_weights
)

select * from final
