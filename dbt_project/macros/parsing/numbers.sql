{#-
    Numbers from text. The value must look like a number in the source's notation, else NULL (a check
    then quarantines the row): decimal_separator ',' for the ERP (`1234,50`, no thousands separator),
    '.' elsewhere. Portable: a pattern check, dbt.replace and dbt.safe_cast (try_cast on DuckDB).
-#}
{% macro parse_decimal(expression, data_type, decimal_separator='.') -%}
    {%- if decimal_separator == ',' -%}
        case when {{ regex_full_match(expression, '[-]?[0-9]+(,[0-9]+)?') }} then
        {{- ' ' ~ dbt.safe_cast(dbt.replace(expression, "','", "'.'"), data_type) }} end
    {%- else -%}
        case when {{ regex_full_match(expression, '[-]?[0-9]+([.][0-9]+)?') }} then
        {{- ' ' ~ dbt.safe_cast(expression, data_type) }} end
    {%- endif -%}
{%- endmacro %}


{% macro parse_integer(expression, data_type=none) -%}
    case when {{ regex_full_match(expression, '[-]?[0-9]{1,18}') }} then
    {{- ' ' ~ dbt.safe_cast(expression, data_type or dbt.type_bigint()) }} end
{%- endmacro %}


{#-
    IPv4 dotted quad -> integer (a*2^24 + b*2^16 + c*2^8 + d) as BIGINT, NULL unless it is four octets
    of 0..255. Portable: dbt.split_part and arithmetic, no inet extension.
-#}
{% macro ipv4_to_bigint(expression) -%}
    {%- set octet_values = [] -%}
    {%- for octet in range(1, 5) -%}
        {%- do octet_values.append(
            'cast(' ~ dbt.split_part(expression, "'.'", octet) ~ ' as ' ~ dbt.type_bigint() ~ ') * '
            ~ 256 ** (4 - octet)
        ) -%}
    {%- endfor -%}
    case
        when {{ regex_full_match(expression, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])([.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}') }}
            then {{ octet_values | join('\n                + ') }}
    end
{%- endmacro %}


{#- Prefix length of an IPv4 CIDR (`81.2.69.0/24` -> 24), NULL unless 0..32. -#}
{% macro cidr_prefix_length(expression) -%}
    case
        when {{ regex_full_match(dbt.split_part(expression, "'/'", 2), '[0-9]|[1-2][0-9]|3[0-2]') }}
            then cast({{ dbt.split_part(expression, "'/'", 2) }} as {{ dbt.type_int() }})
    end
{%- endmacro %}


{#- First / last address of an IPv4 CIDR as BIGINT; the host bits of the written address are ignored. -#}
{% macro cidr_start_ip(expression) -%}
    (
        {{ ipv4_to_bigint(dbt.split_part(expression, "'/'", 1)) }}
        - {{ ipv4_to_bigint(dbt.split_part(expression, "'/'", 1)) }}
        % cast(power(2, 32 - {{ cidr_prefix_length(expression) }}) as {{ dbt.type_bigint() }})
    )
{%- endmacro %}

{% macro cidr_end_ip(expression) -%}
    (
        {{ cidr_start_ip(expression) }}
        + cast(power(2, 32 - {{ cidr_prefix_length(expression) }}) as {{ dbt.type_bigint() }})
        - 1
    )
{%- endmacro %}
