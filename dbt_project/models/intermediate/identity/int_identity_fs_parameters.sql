-- Identity resolution, step 3c (learn m): the Fellegi-Sunter model of this lake's contacts, one row per
-- comparison level with its m probability (a true pair reaches the level), its u probability (two different
-- people do, int_identity_u_probabilities) and its match weight log2(m / u), plus a row `_prior` with the
-- share of candidate pairs that are one person (lambda; its weight is the prior odds in bits).
-- m is learned by expectation-maximisation over the candidate pairs (Fellegi & Sunter 1969; Winkler 1988;
-- the method Splink uses): the pairs are grouped by their pattern of levels, each pattern's probability of
-- being a match is computed from the current m, u and lambda assuming comparisons independent given the
-- match status, and m and lambda are re-estimated from those probabilities, var('c360_identity_fs')
-- em_iterations times (unrolled below; no recursion, so Spark runs it too). u stays fixed. Pairs a data
-- steward decided (seed identity_steward_overrides) count as known matches or non-matches. `last_change`
-- is the largest change of an m probability in the last iteration (assert_identity_fs_converged).
{%- set fs = var('c360_identity_fs') %}
{%- set comparisons = identity_comparisons() %}
{%- set iterations = fs['em_iterations'] %}
{%- set smoothing = 0.5 %}

with

pair_comparisons as (
    select * from {{ ref('int_identity_pair_comparisons') }}
),

u_probabilities as (
    select * from {{ ref('int_identity_u_probabilities') }}
),

overrides as (
    select * from {{ ref('identity_steward_overrides') }}
),

steward_pairs as (
    select
        least(contact_id_a, contact_id_b) as contact_id_a,
        greatest(contact_id_a, contact_id_b) as contact_id_b,
        min(case when decision = 'always_match' then 1.0 else 0.0 end) as steward_label
    from overrides
    where contact_id_a <> contact_id_b
    group by least(contact_id_a, contact_id_b), greatest(contact_id_a, contact_id_b)
),

patterns as (
    select
        {%- for comparison in comparisons %}
            pair_comparisons.gamma_{{ comparison.name }},
        {%- endfor %}
        steward_pairs.steward_label,
        count(*) as pair_count
    from pair_comparisons
    left join steward_pairs
        on
            pair_comparisons.contact_id_a = steward_pairs.contact_id_a
            and pair_comparisons.contact_id_b = steward_pairs.contact_id_b
    group by
        {%- for comparison in comparisons %}
            pair_comparisons.gamma_{{ comparison.name }},
        {%- endfor %}
        steward_pairs.steward_label
),

u_wide as (
    select
        {%- for comparison in comparisons %}
            {%- set comparison_loop = loop %}
            {%- for number in identity_comparison_level_numbers(comparison) %}
                max(
                    case
                        when comparison_name = '{{ comparison.name }}' and comparison_level = {{ number }}
                            then u_probability
                    end
                ) as u_{{ comparison.name }}_{{ number }}{{ ',' if not (comparison_loop.last and loop.last) }}
            {%- endfor %}
        {%- endfor %}
    from u_probabilities
),

-- Start: lambda from the var, the top level of each comparison likely for a match, the others sharing the rest.
em_0 as (
    select
        {{ fs['em_start_prior'] }} as prior,
        {%- for comparison in comparisons %}
            {%- set numbers = identity_comparison_level_numbers(comparison) %}
            {%- for number in numbers %}
                {{ 0.8 if loop.first else (0.2 / (numbers | length - 1)) | round(6) }} as m_{{ comparison.name }}_{{ number }},
                u_{{ comparison.name }}_{{ number }},
            {%- endfor %}
        {%- endfor %}
        0.0 as last_change
    from u_wide
),

{% for iteration in range(1, iterations + 1) %}
    {%- set previous = 'em_' ~ (iteration - 1) %}
    expected_{{ iteration }} as (
        select
            patterns.*,
            coalesce(
                patterns.steward_label,
                1.0 / (1.0 + exp(greatest(least(
                    ln(1.0 - {{ previous }}.prior) - ln({{ previous }}.prior)
                    {%- for comparison in comparisons %}
                        + case patterns.gamma_{{ comparison.name }}
                        {%- for number in identity_comparison_level_numbers(comparison) %}
                            when {{ number }}
                                then ln({{ previous }}.u_{{ comparison.name }}_{{ number }})
                                - ln({{ previous }}.m_{{ comparison.name }}_{{ number }})
                        {%- endfor %}
                            else 0.0
                        end
                    {%- endfor %}, 60.0), -60.0)))
            ) as match_share
        from patterns
        cross join {{ previous }}
    ),

    maximized_{{ iteration }} as (
        select
            {%- for comparison in comparisons %}
                {%- set numbers = identity_comparison_level_numbers(comparison) %}
                {%- for number in numbers %}
                    (
                        sum(case when gamma_{{ comparison.name }} = {{ number }} then pair_count * match_share else 0 end)
                        + {{ smoothing }}
                    ) / (
                        sum(case when gamma_{{ comparison.name }} is not null then pair_count * match_share else 0 end)
                        + {{ smoothing * (numbers | length) }}
                    ) as m_{{ comparison.name }}_{{ number }},
                    (
                        sum(case when gamma_{{ comparison.name }} = {{ number }} then pair_count * (1.0 - match_share) else 0 end)
                        + {{ smoothing }}
                    ) / (
                        sum(case when gamma_{{ comparison.name }} is not null then pair_count * (1.0 - match_share) else 0 end)
                        + {{ smoothing * (numbers | length) }}
                    ) as u_{{ comparison.name }}_{{ number }},
                {%- endfor %}
            {%- endfor %}
            greatest(least(sum(pair_count * match_share) / sum(pair_count), 0.999999), 0.000001) as prior
        from expected_{{ iteration }}
    ),

    em_{{ iteration }} as (
        select
            maximized_{{ iteration }}.*,
            greatest(
                0.0
                {%- for comparison in comparisons %}
                    {%- for number in identity_comparison_level_numbers(comparison) %}
                        , abs(maximized_{{ iteration }}.m_{{ comparison.name }}_{{ number }}
                            - {{ previous }}.m_{{ comparison.name }}_{{ number }})
                    {%- endfor %}
                {%- endfor %}
            ) as last_change
        from maximized_{{ iteration }}
        cross join {{ previous }}
    ),

{% endfor %}
blocked_counts as (
    {%- for comparison in comparisons %}
        select
            '{{ comparison.name }}' as comparison_name,
            gamma_{{ comparison.name }} as comparison_level,
            sum(pair_count) as candidate_pairs_at_level
        from patterns
        where gamma_{{ comparison.name }} is not null
        group by gamma_{{ comparison.name }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

levels as (
    {%- for comparison in comparisons %}
        {%- set comparison_loop = loop %}
        {%- for number in identity_comparison_level_numbers(comparison) %}
            select
                '{{ comparison.name }}' as comparison_name,
                {{ number }} as comparison_level,
                em_{{ iterations }}.m_{{ comparison.name }}_{{ number }} as m_probability,
                em_{{ iterations }}.u_{{ comparison.name }}_{{ number }} as u_probability,
                em_{{ iterations }}.last_change
            from em_{{ iterations }}
            union all
        {%- endfor %}
    {%- endfor %}
    select
        '_prior' as comparison_name,
        0 as comparison_level,
        prior as m_probability,
        1.0 - prior as u_probability,
        last_change
    from em_{{ iterations }}
),

final as (
    select
        levels.comparison_name,
        levels.comparison_level,
        coalesce(u_probabilities.level_label, 'share of candidate pairs that match') as level_label,
        levels.m_probability,
        levels.u_probability,
        case
            when levels.comparison_name <> '_prior' and levels.comparison_level = 0
                then least(log2(levels.m_probability / levels.u_probability), 0.0)
            else log2(levels.m_probability / levels.u_probability)
        end as match_weight,
        u_probabilities.u_probability as random_pair_u_probability,
        coalesce(blocked_counts.candidate_pairs_at_level, 0) as candidate_pairs_at_level,
        {{ iterations }} as em_iterations,
        levels.last_change
    from levels
    left join u_probabilities
        on
            levels.comparison_name = u_probabilities.comparison_name
            and levels.comparison_level = u_probabilities.comparison_level
    left join blocked_counts
        on
            levels.comparison_name = blocked_counts.comparison_name
            and levels.comparison_level = blocked_counts.comparison_level
)

select * from final
