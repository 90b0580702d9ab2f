-- Attribute-level data quality of the mapped lake sources (models/staging/_lake_mappings__docs.md): one row
-- per value that was present in a staged row but unusable (an impossible date, a malformed e-mail or phone, a
-- negative price) and was therefore staged as NULL. The row itself stays staged; row quarantine is
-- quarantined_rows. Only the attributes that can have an issue are read (lake_attribute_issue_columns).
{%- set mapped_tables = lake_mapped_tables() %}
{%- set issue_columns = lake_attribute_issue_columns(mapped_tables) %}

with

{% for lake_table in mapped_tables %}
    {{ lake_table.base_model }} as (
        select * from {{ ref(lake_table.base_model) }}
        where rejection_code is null
    ),

{% endfor %}
issues as (
    {% for part in issue_columns %}
        select
            '{{ part.table.source_system }}' as source_system,
            '{{ part.table.source_system }}.{{ part.table.table_name }}' as source_table,
            source_file,
            line_number,
            row_key,
            '{{ part.attribute }}' as attribute_name,
            {{ part.attribute }}__value as source_value,
            {{ part.attribute }}__issue as issue_reason
        from {{ part.table.base_model }}
        where {{ part.attribute }}__issue is not null
        union all
    {% endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as source_system,
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as row_key,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        cast(null as {{ dbt.type_string() }}) as source_value,
        cast(null as {{ dbt.type_string() }}) as issue_reason
    where 1 = 0
),

final as (
    select
        {{ dbt.concat([
            'source_table', "'|'", 'source_file', "'|'", dbt.cast('line_number', dbt.type_string()), "'|'",
            'attribute_name',
        ]) }} as attribute_issue_id,
        source_system,
        source_table,
        source_file,
        line_number,
        row_key,
        attribute_name,
        source_value,
        {{ dbt.split_part('issue_reason', "':'", 1) }} as issue_code,
        issue_reason
    from issues
)

select * from final
