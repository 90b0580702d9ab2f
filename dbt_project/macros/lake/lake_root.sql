{#-
    The raw lake root: env var C360_LAKE, which must be an absolute path, because DuckDB views keep
    file paths as written (a relative path would resolve against whatever directory reads the view).
    Checked only when dbt executes SQL, so `dbt parse` works without the variable.
-#}
{% macro lake_root() -%}
    {%- set root = env_var('C360_LAKE', '') | trim -%}
    {%- if execute and not root.startswith('/') -%}
        {%- if root == '' -%}
            {%- set found = 'it is not set' -%}
        {%- else -%}
            {%- set found = "it is '" ~ root ~ "'" -%}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            "C360_LAKE must be the absolute path of the raw lake root, but " ~ found ~ ". "
            ~ "DuckDB views keep paths as written, so export an absolute path, e.g. "
            ~ "`export C360_LAKE=$PWD/seeds_data/lake` from the repository root."
        ) }}
    {%- endif -%}
    {%- if root != '/' -%}
        {%- set root = root.rstrip('/') -%}
    {%- endif -%}
    {{ return(root) }}
{%- endmacro %}
