{#-
    Row-count reconciliation for one lake source table:
        rows in (counted from the lake files, through the raw view) = rows staged + rows quarantined.
    Attach it to the staging model that holds the table's accepted rows. Fails (one row with the three
    counts) if a row was lost or counted twice anywhere between the files and staging.
      source_table  e.g. 'erp.sales_order_lines' (quarantined_rows.source_table)
      raw_model     ref() of the raw view over the files
      header_lines  physical lines per file that are not rows (1 for CSV headers)
-#}
{% test reconciles_with_lake(model, source_table, raw_model, header_lines=0) %}

with

rows_in as (
    select count(*) as row_count
    from {{ raw_model }}
    where line_number > {{ header_lines }}
),

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
        rows_in.row_count as rows_in,
        rows_staged.row_count as rows_staged,
        rows_quarantined.row_count as rows_quarantined
    from rows_in
    cross join rows_staged
    cross join rows_quarantined
)

select * from final
where rows_in <> rows_staged + rows_quarantined

{% endtest %}
