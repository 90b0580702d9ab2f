-- Identity resolution, step 3d (learn): the Fellegi-Sunter model of this lake's contacts, one row per
-- comparison level with its m probability (a pair that is one person reaches the level), its u probability
-- (a pair of two people does) and its match weight log2(m / u), plus a row `_prior` (lambda, the share of
-- candidate pairs that are one person; its weight is the prior odds in bits). Learned by
-- expectation-maximisation over the candidate pairs' patterns (int_identity_comparison_patterns; Fellegi &
-- Sunter 1969, Winkler 1988): each pass computes every pattern's probability of being one person from the
-- current parameters, assuming the comparisons independent given the match status, then re-estimates m, u
-- and lambda from those probabilities. u starts from the random pairs (int_identity_u_probabilities), m from
-- 0.8 on each comparison's top level. The var('c360_identity_fs').em_iterations passes are unrolled below
-- (no recursion, and each pass reads the one before once, so Spark runs it too). Pairs a steward decided
-- keep their label. Why u is re-estimated and why a `different` level never weighs for a match: see the
-- model's docs (_identity_fs__models.yml).
{%- set fs = var('c360_identity_fs') %}
{%- set iterations = fs['em_iterations'] %}
{%- set start_prior = fs['em_start_prior'] %}
{%- set smoothing = 0.5 %}
{%- set u_prior_pairs = fs['u_prior_pairs'] %}

with

patterns as (
    select * from {{ ref('int_identity_comparison_patterns') }}
),

u_probabilities as (
    select * from {{ ref('int_identity_u_probabilities') }}
),

pattern_counts as (
    select
        pattern_id,
        steward_label,
        pair_count
    from patterns
    where comparison_name = '_prior'
),

levels as (
    select
        comparison_name,
        comparison_level,
        level_label,
        u_probability as random_pair_u_probability,
        count(*) over (partition by comparison_name) as comparison_levels,
        row_number() over (partition by comparison_name order by comparison_level desc) as level_rank
    from u_probabilities

    union all

    select
        '_prior' as comparison_name,
        0 as comparison_level,
        'share of candidate pairs that match' as level_label,
        null as random_pair_u_probability,
        1 as comparison_levels,
        1 as level_rank
),

parameters_0 as (
    select
        comparison_name,
        comparison_level,
        comparison_levels,
        case
            when comparison_name = '_prior' then {{ start_prior }}
            when level_rank = 1 then 0.8
            else 0.2 / (comparison_levels - 1)
        end as m_probability,
        random_pair_u_probability as u_probability
    from levels
),

{% for iteration in range(1, iterations + 1) %}
    -- Pass {{ iteration }}, expectation: log(P(pattern | two people) / P(pattern | one person)) per pattern.
    log_odds_{{ iteration }} as (
        select
            patterns.pattern_id,
            sum(
                ln(coalesce(parameters.u_probability, 1.0 - parameters.m_probability))
                - ln(parameters.m_probability)
            ) as log_odds_against
        from patterns
        inner join parameters_{{ iteration - 1 }} as parameters
            on
                patterns.comparison_name = parameters.comparison_name
                and patterns.comparison_level = parameters.comparison_level
        group by patterns.pattern_id
    ),

    expected_{{ iteration }} as (
        select
            pattern_counts.pattern_id,
            pattern_counts.pair_count,
            coalesce(
                pattern_counts.steward_label,
                1.0 / (1.0 + exp(greatest(least(log_odds_{{ iteration }}.log_odds_against, 60.0), -60.0)))
            ) as match_share
        from pattern_counts
        inner join log_odds_{{ iteration }}
            on pattern_counts.pattern_id = log_odds_{{ iteration }}.pattern_id
    ),

    -- Maximisation: the pairs expected to be one person (or two) at each level.
    level_sums_{{ iteration }} as (
        select
            patterns.comparison_name,
            patterns.comparison_level,
            sum(expected_{{ iteration }}.pair_count * expected_{{ iteration }}.match_share) as matched_pairs,
            sum(expected_{{ iteration }}.pair_count * (1.0 - expected_{{ iteration }}.match_share))
                as unmatched_pairs
        from patterns
        inner join expected_{{ iteration }}
            on patterns.pattern_id = expected_{{ iteration }}.pattern_id
        group by patterns.comparison_name, patterns.comparison_level
    ),

    parameters_{{ iteration }} as (
        select
            levels.comparison_name,
            levels.comparison_level,
            levels.comparison_levels,
            case
                when levels.comparison_name = '_prior'
                    then coalesce(
                        greatest(least(
                            sums.matched_pairs / nullif(sums.matched_pairs + sums.unmatched_pairs, 0),
                            0.999999
                        ), 0.000001),
                        {{ start_prior }}
                    )
                else (coalesce(sums.matched_pairs, 0) + {{ smoothing }}) / (
                    coalesce(sum(sums.matched_pairs) over (partition by levels.comparison_name), 0)
                    + {{ smoothing }} * levels.comparison_levels
                )
            end as m_probability,
            case
                when levels.comparison_name <> '_prior'
                    then (coalesce(sums.unmatched_pairs, 0) + {{ smoothing }}) / (
                        coalesce(sum(sums.unmatched_pairs) over (partition by levels.comparison_name), 0)
                        + {{ smoothing }} * levels.comparison_levels
                    )
            end as u_probability
        from levels
        left join level_sums_{{ iteration }} as sums
            on
                levels.comparison_name = sums.comparison_name
                and levels.comparison_level = sums.comparison_level
    ),

{% endfor %}
candidate_counts as (
    select
        comparison_name,
        comparison_level,
        sum(pair_count) as candidate_pairs_at_level
    from patterns
    group by comparison_name, comparison_level
),

-- The last pass's expected non-matches per level, for the u the weights use: the candidate pairs' u shrunk
-- towards the random-pair u by var u_prior_pairs pseudo-pairs (a posterior mean). Where blocking leaves few
-- pairs of two people (FEBRL1: 4 of 498), their u says little and the random pairs' u decides; where
-- households fill the candidates with thousands, theirs does.
last_unmatched_totals as (
    select
        comparison_name,
        sum(unmatched_pairs) as unmatched_pairs
    from level_sums_{{ iterations }}
    group by comparison_name
),

learned as (
    select
        levels.comparison_name,
        levels.comparison_level,
        levels.level_label,
        last_pass.m_probability,
        case
            when levels.comparison_name = '_prior' then 1.0 - last_pass.m_probability
            else (
                coalesce(last_unmatched.unmatched_pairs, 0)
                + {{ u_prior_pairs }} * levels.random_pair_u_probability
            ) / (coalesce(last_unmatched_totals.unmatched_pairs, 0) + {{ u_prior_pairs }})
        end as u_probability,
        levels.random_pair_u_probability,
        abs(last_pass.m_probability - pass_before.m_probability) as m_change
    from levels
    inner join parameters_{{ iterations }} as last_pass
        on
            levels.comparison_name = last_pass.comparison_name
            and levels.comparison_level = last_pass.comparison_level
    inner join parameters_{{ iterations - 1 }} as pass_before
        on
            levels.comparison_name = pass_before.comparison_name
            and levels.comparison_level = pass_before.comparison_level
    left join level_sums_{{ iterations }} as last_unmatched
        on
            levels.comparison_name = last_unmatched.comparison_name
            and levels.comparison_level = last_unmatched.comparison_level
    left join last_unmatched_totals
        on levels.comparison_name = last_unmatched_totals.comparison_name
),

final as (
    select
        learned.comparison_name,
        learned.comparison_level,
        learned.level_label,
        learned.m_probability,
        learned.u_probability,
        case
            when learned.comparison_name <> '_prior' and learned.comparison_level = 0
                then least(log2(learned.m_probability / learned.u_probability), 0.0)
            else log2(learned.m_probability / learned.u_probability)
        end as match_weight,
        learned.random_pair_u_probability,
        coalesce(candidate_counts.candidate_pairs_at_level, 0) as candidate_pairs_at_level,
        {{ iterations }} as em_iterations,
        max(learned.m_change) over () as last_change
    from learned
    left join candidate_counts
        on
            learned.comparison_name = candidate_counts.comparison_name
            and learned.comparison_level = candidate_counts.comparison_level
)

select * from final
