-- Identity resolution, step 3b (learn u): for every comparison level, u = the probability that two
-- different people reach it, estimated on random pairs of contacts as Splink and the Fellegi-Sunter
-- literature do (almost every random pair is two people). The pairs: contacts in the order of a hash of their
-- id (a reproducible shuffle), the first var('c360_identity_fs').u_sample_contacts of them, each paired with
-- the next u_sample_offsets ones. A level that no random pair reaches gets the count 0.5 (add-one-half
-- smoothing), so that agreeing on it is strong evidence but not infinite.
{%- set fs = var('c360_identity_fs') %}

with

contacts as (
    select * from {{ ref('int_contacts_normalized') }}
),

shuffled as (
    select
        *,
        row_number() over (order by {{ dbt.hash('contact_id') }}, contact_id) as sample_rank
    from contacts
),

sampled as (
    select * from shuffled
    where sample_rank <= {{ fs['u_sample_contacts'] }}
),

offsets as (
    {%- for offset in range(1, fs['u_sample_offsets'] + 1) %}
        select {{ offset }} as rank_offset
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

random_pairs as (
    select
        {{ identity_pair_attributes('contacts_a', 'contacts_b') }}
    from sampled as contacts_a
    cross join offsets
    inner join sampled as contacts_b
        on contacts_a.sample_rank + offsets.rank_offset = contacts_b.sample_rank
),

compared as (
    select
        {{ identity_comparison_levels() }}
    from random_pairs
),

counted as (
    {%- for comparison in identity_comparisons() %}
        {%- set comparison_loop = loop %}
        {%- for number in identity_comparison_level_numbers(comparison) %}
            select
                '{{ comparison.name }}' as comparison_name,
                {{ number }} as comparison_level,
                '{{ identity_comparison_level_label(comparison, number) }}' as level_label,
                coalesce(sum(case when gamma_{{ comparison.name }} = {{ number }} then 1 else 0 end), 0)
                    as random_pairs_at_level,
                count(gamma_{{ comparison.name }}) as random_pairs_compared,
                {{ identity_comparison_level_numbers(comparison) | length }} as comparison_levels
            from compared
            {% if not (comparison_loop.last and loop.last) %}union all{% endif %}
        {%- endfor %}
    {%- endfor %}
),

final as (
    select
        comparison_name,
        comparison_level,
        level_label,
        random_pairs_at_level,
        random_pairs_compared,
        (random_pairs_at_level + 0.5) / (random_pairs_compared + 0.5 * comparison_levels) as u_probability
    from counted
)

select * from final
