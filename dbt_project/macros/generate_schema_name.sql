{#-
    A model's custom schema is used as-is, without the target-schema prefix dbt adds by default:
    models in models/staging/ land in schema `staging`, intermediate in `intermediate`, marts in `marts`.
    Nodes without a custom schema fall back to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
