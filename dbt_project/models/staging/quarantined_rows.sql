-- Every lake row that broke its source's contract, from every base model, with the reason.
{%- set lake_tables = lake_tables(lake_mapped_tables(), hand_written_lake_tables()) %}

with

rejected_rows as (
    {% for lake_table in lake_tables %}
        select
            '{{ lake_table.source_system }}' as source_system,
            '{{ lake_table.source_system }}.{{ lake_table.table_name }}' as source_table,
            source_file,
            line_number,
            row_key,
            rejection_code,
            rejection_reason,
            raw_record
        from {{ ref(lake_table.base_model) }}
        where rejection_code is not null
        {% if not loop.last %}
            union all
        {% endif %}
    {% endfor %}
),

final as (
    select
        {{ dbt.concat(['source_table', "'|'", 'source_file', "'|'", dbt.cast('line_number', dbt.type_string())]) }}
            as quarantined_row_id,
        source_system,
        source_table,
        source_file,
        line_number,
        row_key,
        rejection_code,
        rejection_reason,
        raw_record
    from rejected_rows
)

select * from final
