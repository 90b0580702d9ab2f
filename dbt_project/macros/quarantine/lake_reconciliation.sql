{#-
    The end of a lake row-count reconciliation test: rows in = rows staged + rows quarantined. Written as
    the CTEs after the test's own (rows_staged, rows_quarantined, final) and the final select, which
    returns one row with the three counts when they do not add up, none otherwise.
      model         ref() of the staging model that holds the table's accepted rows
      source_table  e.g. 'erp.sales_order_lines' (quarantined_rows.source_table)
      rows_in       a CTE (or relation) of the test with one row: row_count, the rows in the lake files
-#}
{% macro lake_reconciliation(model, source_table, rows_in) -%}
rows_staged as (
    select count(*) as row_count
    from {{ model }}
),

rows_quarantined as (
    select count(*) as row_count
    from {{ ref('quarantined_rows') }}
    where source_table = '{{ source_table }}'
),

final as (
    select
        '{{ source_table }}' as source_table,
        {{ rows_in }}.row_count as rows_in,
        rows_staged.row_count as rows_staged,
        rows_quarantined.row_count as rows_quarantined
    from {{ rows_in }}
    cross join rows_staged
    cross join rows_quarantined
)

select * from final
where rows_in <> rows_staged + rows_quarantined
{%- endmacro %}
