{#-
    Opaque customer ids. A customer_id is 'cus_' + 16 hex digits of md5(<key> | <its cluster's smallest
    contact id>), where <key> is a secret generated once per warehouse and kept beside it, under C360_HOME
    (identity.key, never published nor printed). Without the key, a published id cannot be traced back
    to a source key by enumerating numbers (an ERP customer number, a loyalty card, a player id); with
    the same key (the same C360_HOME), a rebuilt warehouse gives the same ids.

    customer_id_key_path()        where the key is kept: identity.key beside the DuckDB warehouse file
    ensure_customer_id_key()      on-run-start hook: writes the key once (random, 256 bits) if absent
    customer_id_key()             SQL expression: the key, read when the query runs
    keyed_customer_id(expr)       SQL expression: the customer id of a cluster label
    rekeyed_customer_id(expr)     SQL expression: the new id of an id minted before ids were keyed
                                  (the one-off migration, var c360_rekey_customer_ids; README)
    On another engine (Spark) the key is var c360_identity_key, which must then be set.
-#}

{% macro customer_id_key_path() -%}
    {{ return(target.path.rsplit('/', 1)[0] ~ '/identity.key') }}
{%- endmacro %}


{% macro ensure_customer_id_key() -%}
    {{ return(adapter.dispatch('ensure_customer_id_key', 'c360')()) }}
{%- endmacro %}

{% macro default__ensure_customer_id_key() -%}
    {%- if execute and not var('c360_identity_key', none) -%}
        {{ exceptions.raise_compiler_error(
            "Set var c360_identity_key to a long random secret: it keys the customer ids (see README)"
        ) }}
    {%- endif -%}
    select 1 as identity_key_checked
{%- endmacro %}

{% macro duckdb__ensure_customer_id_key() -%}
    {%- set path = customer_id_key_path() | replace("'", "''") -%}
    {%- if execute -%}
        {%- set found = run_query("select count(*) from glob('" ~ path ~ "')").columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {#- four random UUIDs (122 random bits each), hashed: 256 bits of key -#}
            {%- do run_query(
                "copy (select md5(gen_random_uuid()::varchar || gen_random_uuid()::varchar) "
                ~ "|| md5(gen_random_uuid()::varchar || gen_random_uuid()::varchar) as identity_key) "
                ~ "to '" ~ path ~ "' (format csv, header false)"
            ) -%}
        {%- endif -%}
    {%- endif -%}
    select 1 as identity_key_checked
{%- endmacro %}


{% macro customer_id_key() -%}
    {{ return(adapter.dispatch('customer_id_key', 'c360')()) }}
{%- endmacro %}

{% macro default__customer_id_key() -%}
    '{{ var('c360_identity_key', '') | replace("'", "''") }}'
{%- endmacro %}

{% macro duckdb__customer_id_key() -%}
    {%- set path = customer_id_key_path() | replace("'", "''") -%}
    (select trim(identity_key.content) from read_text('{{ path }}') as identity_key)
{%- endmacro %}


{% macro keyed_customer_id(expression) -%}
    {%- set digest = dbt.hash(dbt.concat([customer_id_key(), "'|'", expression])) -%}
    {{ dbt.concat(["'cus_'", 'substring(' ~ digest ~ ', 1, 16)']) }}
{%- endmacro %}

{% macro rekeyed_customer_id(expression) -%}
    {{ keyed_customer_id(dbt.concat(["'rekey|'", expression])) }}
{%- endmacro %}
