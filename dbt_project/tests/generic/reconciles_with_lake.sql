{#-
    Row-count reconciliation for one lake source table:
        rows in (counted from the lake files, through the raw view) = rows staged + rows quarantined.
    Attach it to the staging model that holds the table's accepted rows. Fails (one row with the three
    counts, macros/quarantine/lake_reconciliation.sql) if a row was lost or counted twice anywhere between
    the files and staging.
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

{{ lake_reconciliation(model, source_table, 'rows_in') }}

{% endtest %}
