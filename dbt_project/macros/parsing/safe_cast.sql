{#-
    dbt.safe_cast has no DuckDB implementation in dbt-duckdb (it falls back to a plain cast, which fails
    the whole query on one bad value). dbt_project.yml lets dbt's dispatch find this one first.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
