{#-
    Every value of the column names a declared lake source (lake_tables: hand-written and mapped), as
    `<system>` (part='system') or `<system>.<table>` (part='table'). Returns the rows that do not.
-#}
{% test declared_lake_source(model, column_name, part='table') %}
    {%- set names = [] -%}
    {%- for lake_table in lake_tables(lake_mapped_tables(), hand_written_lake_tables()) -%}
        {%- do names.append(
            lake_table.source_system if part == 'system' else lake_table.source_system ~ '.' ~ lake_table.table_name
        ) -%}
    {%- endfor %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} not in ('{{ names | unique | join("', '") }}')

{%- endtest %}
