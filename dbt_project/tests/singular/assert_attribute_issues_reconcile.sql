-- Attribute issues reconcile with the mapped base models: for every mapped lake table and attribute that can
-- have an issue (lake_attribute_issue_columns), each staged row whose value was unusable has its value NULL and
-- exactly one row in attribute_issues, and no issue is listed for a quarantined row. Returns one row per
-- (table, attribute) whose counts differ.
{%- set mapped_tables = lake_mapped_tables() %}

with

issue_counts as (
    select
        source_table,
        attribute_name,
        count(*) as listed_issues
    from {{ ref('attribute_issues') }}
    group by source_table, attribute_name
),

base_counts as (
    {% for part in lake_attribute_issue_columns(mapped_tables) %}
        select
            '{{ part.table.source_system }}.{{ part.table.table_name }}' as source_table,
            '{{ part.attribute }}' as attribute_name,
            count({{ part.attribute }}__issue) as base_issues,
            count(case when {{ part.attribute }}__issue is not null then {{ part.attribute }} end)
                as issues_with_value
        from {{ ref(part.table.base_model) }}
        where rejection_code is null
        union all
    {% endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        0 as base_issues,
        0 as issues_with_value
    where 1 = 0
),

final as (
    select
        base_counts.source_table,
        base_counts.attribute_name,
        base_counts.base_issues,
        base_counts.issues_with_value,
        coalesce(issue_counts.listed_issues, 0) as listed_issues
    from base_counts
    left join issue_counts
        on
            base_counts.source_table = issue_counts.source_table
            and base_counts.attribute_name = issue_counts.attribute_name
    where
        base_counts.base_issues <> coalesce(issue_counts.listed_issues, 0)
        or base_counts.issues_with_value > 0
)

select * from final
