{#-
    The raw clickstream partition files as they are now, from file metadata only (never the content):
    source_file (path under the lake root, as staging writes it), partition_date (the dt=YYYY-MM-DD of
    its folder), source_file_size_bytes and source_file_modified_at (see macros/lake/lake_files.sql).
    clicks_by_customer_product_offer compares this fingerprint with the one it loaded, to find the days
    that have new or changed files.
-#}
{% macro clickstream_files() -%}
    select
        click_files.source_file,
        {{ clickstream_partition_date('click_files.source_file') }} as partition_date,
        click_files.source_file_size_bytes,
        click_files.source_file_modified_at
    from ({{ lake_files('web', 'clickstream') }}) as click_files
{%- endmacro %}


{#- The date of a path's dt=YYYY-MM-DD folder (NULL when there is none). -#}
{% macro clickstream_partition_date(path_expression) -%}
    {{- adapter.dispatch('clickstream_partition_date', 'c360')(path_expression) -}}
{%- endmacro %}

{% macro duckdb__clickstream_partition_date(path_expression) -%}
    try_cast(regexp_extract({{ path_expression }}, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date)
{%- endmacro %}

{#- Spark (plausible, untested here). -#}
{% macro default__clickstream_partition_date(path_expression) -%}
    to_date(regexp_extract({{ path_expression }}, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1))
{%- endmacro %}
