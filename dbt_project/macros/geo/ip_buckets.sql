{#-
    Range joins of IPv4 addresses to networks on integer bounds, kept fast and portable by an equi-join
    on a bucket key: an address's bucket is its /16 (ip_number div 65536). Networks no wider than a /16
    lie in one bucket; wider ones are expanded into every bucket they cover (a /8 into 256 rows), so
    each address meets only the few networks of its own /16 before the range condition is checked.
    Plain arithmetic: floor() of a division is exact for 32-bit numbers in a double.
-#}
{% macro ip_bucket_size() -%}
    65536
{%- endmacro %}


{% macro ip_bucket(ip_number_expression) -%}
    cast(floor({{ ip_number_expression }} / {{ ip_bucket_size() }}) as {{ dbt.type_bigint() }})
{%- endmacro %}


{#-
    The numbers 0 .. 2^bits - 1 as column bucket_offset: a cross join of `bits` two-row tables (portable,
    no generate_series or range()). 16 bits cover a /0 network, the widest possible.
-#}
{% macro bucket_offsets(bits=16) -%}
    {%- set terms = [] -%}
    {%- set bit_tables = [] -%}
    {%- for bit in range(bits) -%}
        {%- do terms.append('bit_' ~ bit ~ '.bit_value * ' ~ 2 ** bit) -%}
        {%- do bit_tables.append('(select 0 as bit_value union all select 1 as bit_value) as bit_' ~ bit) -%}
    {%- endfor -%}
    select
        {{ terms | join('\n        + ') }} as bucket_offset
    from {{ bit_tables | join('\n    cross join ') }}
{%- endmacro %}
