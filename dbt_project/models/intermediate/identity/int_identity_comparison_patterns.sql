-- Identity resolution, step 3c (the patterns the model learns from): the candidate pairs grouped by their
-- pattern of comparison levels (int_identity_pair_comparisons), in long form, one row per pattern and
-- comparison the pattern has a level for, plus a row `_prior` per pattern, with the number of pairs that
-- show the pattern. A pattern of pairs a data steward decided (seed identity_steward_overrides) is kept
-- apart and labelled: 1.0 always match, 0.0 never match. int_identity_fs_parameters learns from it.
{%- set comparisons = identity_comparisons() %}

with

pair_comparisons as (
    select * from {{ ref('int_identity_pair_comparisons') }}
),

-- The steward's decided pairs, labelled 1.0 (always match) or 0.0 (never match).
steward_pairs as (
    select
        contact_id_a,
        contact_id_b,
        case when steward_decision = 'always_match' then 1.0 else 0.0 end as steward_label
    from {{ ref('int_identity_steward_pairs') }}
),

labelled as (
    select
        pair_comparisons.*,
        steward_pairs.steward_label
    from pair_comparisons
    left join steward_pairs
        on
            pair_comparisons.contact_id_a = steward_pairs.contact_id_a
            and pair_comparisons.contact_id_b = steward_pairs.contact_id_b
),

patterns as (
    select
        {%- for comparison in comparisons %}
            gamma_{{ comparison.name }},
        {%- endfor %}
        steward_label,
        count(*) as pair_count
    from labelled
    group by
        {%- for comparison in comparisons %}
            gamma_{{ comparison.name }},
        {%- endfor %}
        steward_label
),

numbered as (
    select
        *,
        row_number() over (
            order by
                {%- for comparison in comparisons %}
                    gamma_{{ comparison.name }},
                {%- endfor %}
                steward_label
        ) as pattern_id
    from patterns
),

final as (
    {%- for comparison in comparisons %}
        select
            pattern_id,
            '{{ comparison.name }}' as comparison_name,
            gamma_{{ comparison.name }} as comparison_level,
            steward_label,
            pair_count
        from numbered
        where gamma_{{ comparison.name }} is not null

        union all
    {%- endfor %}

    select
        pattern_id,
        '_prior' as comparison_name,
        0 as comparison_level,
        steward_label,
        pair_count
    from numbered
)

select * from final
