{#-
    c360_ml_scores(table_name, columns)
        The score table `ml.<table_name>` written by the Python scoring assets (dbt source `ml`), or, while
        no scoring run has written it yet, an empty relation with the same columns, so that `dbt build`
        without the Python steps still builds customer_360 (its score columns are then NULL).
        `columns` maps each column customer_360 reads to its type. `source()` is called at parse time
        either way, so lineage (and the Dagster graph: dbt -> Python -> dbt) always includes the source.
        A missing table is logged as a warning naming the asset to materialize.
-#}

{% macro c360_ml_scores(table_name, columns) -%}
    {%- set relation = source('ml', table_name) -%}
    {%- set existing = none -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- if existing is not none or not execute -%}
        {{ relation }}
    {%- else -%}
        {{ log(
            "c360: " ~ relation ~ " does not exist yet; its columns are NULL in this build. Materialize the"
            ~ " asset ml/" ~ table_name ~ " (make run does) and rebuild to fill them.", info=true
        ) }}
        (
            select
        {%- for name, data_type in columns.items() %}
                cast(null as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
            where 1 = 0
        )
    {%- endif -%}
{%- endmacro %}
