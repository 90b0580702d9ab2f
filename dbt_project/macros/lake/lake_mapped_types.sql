{#- Mapped lake sources: typing and checking attribute values (see lake_mapped.sql). -#}


{#- ---- Typing and checking each attribute ---------------------------------------------------------- -#}

{#- The value text of an attribute: its field, its constant, or NULL when unmapped. -#}
{% macro lake_mapped_value(attribute) -%}
    {%- if attribute.mapping is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- elif attribute.mapping.get('value') is not none -%}
        '{{ attribute.mapping.value | string | replace("'", "''") }}'
    {%- else -%}
        {{ attribute.name }}__value
    {%- endif -%}
{%- endmacro %}

{#- The date / timestamp format of an attribute. -#}
{% macro lake_mapped_format(mapping, attribute) -%}
    {%- set declared = (attribute.mapping or {}).get('format') or mapping.date_format -%}
    {{ return(declared or ('YYYY-MM-DD' if attribute.type == 'date' else 'ISO8601')) }}
{%- endmacro %}

{#- The typed value of an attribute from its text (NULL when it does not parse). -#}
{% macro lake_mapped_typed(mapping, attribute, value) -%}
    {%- set kind = attribute.type -%}
    {%- set value = lake_mapped_translated(attribute, value) -%}
    {%- if kind == 'date' -%}
        {{ lake_parse_date(value, lake_mapped_format(mapping, attribute)) }}
    {%- elif kind == 'timestamp' -%}
        {{ lake_parse_timestamp(value, lake_mapped_format(mapping, attribute)) }}
    {%- elif kind == 'decimal' -%}
        {%- set data_type = 'decimal(18, 2)' if attribute.name != 'quantity' else 'decimal(18, 3)' -%}
        {{ parse_decimal(value, data_type, decimal_separator=mapping.decimal_separator) }}
    {%- elif kind in ['share', 'percentage', 'rate'] -%}
        {{ lake_mapped_typed_number(mapping, attribute, value) }}
    {%- elif kind in ['ipv4_network', 'latitude', 'longitude'] -%}
        {{ lake_mapped_typed_geo(mapping, attribute, value) }}
    {%- elif kind == 'year' -%}
        case when {{ regex_full_match(value, '[0-9]{4}') }} then cast({{ value }} as integer) end
    {%- elif kind == 'time' -%}
        {{ lake_parse_time_of_day(value) }}
    {%- elif kind == 'ipv4' -%}
        case when {{ ipv4_to_bigint(value) }} is not null then {{ value }} end
    {%- elif kind == 'integer' -%}
        case when {{ regex_full_match(value, '[0-9]{1,9}') }} then cast({{ value }} as integer) end
    {%- elif kind == 'boolean' and (attribute.mapping or {}).get('invert') -%}
        not ({{ lake_mapped_flag(value) }})
    {%- elif kind == 'boolean' -%}
        {{ lake_mapped_flag(value) }}
    {%- elif kind == 'country' -%}
        case when {{ regex_full_match('upper(' ~ value ~ ')', '[A-Z]{2}') }} then upper({{ value }}) end
    {%- elif kind == 'currency' -%}
        case when {{ regex_full_match('upper(' ~ value ~ ')', '[A-Z]{3}') }} then upper({{ value }}) end
    {%- elif kind == 'email' -%}
        case when {{ regex_full_match(value, '[^@ ]+@[^@ ]+[.][^@ .]+') }} then {{ value }} end
    {%- elif kind == 'phone' -%}
        case
            when {{ regex_full_match(value, '[+]?[0-9 ()./-]+') }}
                and {{ regex_full_match(value, '[^0-9]*([0-9][^0-9]*){6,}') }}
                then {{ value }}
        end
    {%- else -%}
        {{ value }}
    {%- endif -%}
{%- endmacro %}

{#- A yes/no text as a boolean (NULL when it is neither). -#}
{% macro lake_mapped_flag(value) -%}
    {{ parse_boolean('lower(' ~ value ~ ')', ['1', 'true', 'yes', 'y', 't', 'x'], ['0', 'false', 'no', 'n', 'f']) }}
{%- endmacro %}

{#- 'code: text' when a present value is unusable (does not parse, or is out of range), else NULL. -#}
{% macro lake_mapped_issue(mapping, attribute, value, typed) -%}
    {%- set label = lake_mapped_column_label(attribute) if attribute.mapping else attribute.name -%}
    {%- set kind = attribute.type -%}
    {%- set reasons = {
        'date': 'bad_date: not a ' ~ lake_mapped_format(mapping, attribute) ~ ' date',
        'year': 'bad_date: not a four-digit year',
        'integer': 'bad_number: not a whole number',
        'ipv4': 'bad_value: not an IPv4 address',
        'time': 'bad_date: not a time of day HHMMSS, HH:MM:SS or HH:MM',
        'timestamp': 'bad_date: not a ' ~ lake_mapped_format(mapping, attribute) ~ ' timestamp',
        'decimal': 'bad_number: not a number with decimal separator ' ~ mapping.decimal_separator,
        'boolean': 'bad_value: not a yes/no flag',
        'country': 'bad_value: not an ISO alpha-2 country code',
        'currency': 'bad_value: not an ISO-4217 currency code',
        'email': 'bad_email: not an e-mail address',
        'phone': 'bad_phone: not a phone number',
        'ipv4_network': 'bad_value: not an IPv4 network in CIDR notation a.b.c.d/n',
        'latitude': 'bad_number: not a latitude in decimal degrees from -90 to 90',
        'longitude': 'bad_number: not a longitude in decimal degrees from -180 to 180',
    } -%}
    {%- set window = lake_plausible_window(attribute.get('plausible'), lake_source_path(mapping)) -%}
    {%- set implausible_message = 'implausible_date: ' ~ window.text ~ ' (' ~ label ~ ')' -%}
    {%- set negative_code = 'negative_quantity' if attribute.name == 'quantity' else 'negative_value' -%}
    {%- set negative_message = negative_code ~ ': a negative ' ~ attribute.name | replace('_', ' ')
        ~ ' (' ~ label ~ ')' -%}
    case
    {{- lake_mapped_translation_check(attribute, value, label) }}
    {%- if kind in reasons %}
        when {{ value }} is not null and {{ typed }} is null
            then '{{ (reasons[kind] ~ ' (' ~ label ~ ')') | replace("'", "''") }}'
    {%- endif %}
    {%- if kind in ['date', 'timestamp'] %}
        when {{ typed }} < {{ window.first }} or {{ typed }} >= {{ window.after }}
            then '{{ implausible_message | replace("'", "''") }}'
    {%- endif %}
    {%- if kind == 'year' %}
        when {{ typed }} < {{ window.first_year }} or {{ typed }} > {{ window.last_year }}
            then '{{ implausible_message | replace("'", "''") }}'
    {%- endif %}
    {%- if kind == 'decimal' %}
        when {{ typed }} < 0
            then '{{ negative_message | replace("'", "''") }}'
    {%- endif %}
    {%- if attribute.name == 'quantity' %}
        when {{ typed }} = 0
            then '{{ ('bad_number: a zero quantity (' ~ label ~ ')') | replace("'", "''") }}'
    {%- endif %}
    {{- lake_mapped_value_checks(mapping, attribute, value, typed, label) }}
        when false then null
    end
{%- endmacro %}

{#- Seconds since midnight of a time of day written HHMMSS, HH:MM:SS or HH:MM; NULL otherwise. -#}
{% macro lake_parse_time_of_day(expression) -%}
    {%- set digits = dbt.replace(expression, "':'", "''") -%}
    {%- set padded = 'rpad(' ~ digits ~ ", 6, '0')" -%}
    case
        when {{ regex_full_match(expression, '([01][0-9]|2[0-3])(:?[0-5][0-9]){1,2}') }}
            then cast(substring({{ padded }}, 1, 2) as integer) * 3600
            + cast(substring({{ padded }}, 3, 2) as integer) * 60
            + cast(substring({{ padded }}, 5, 2) as integer)
    end
{%- endmacro %}

{#- Dates and timestamps in the mapping formats; NULL when the text does not have the shape. -#}
{% macro lake_parse_date(expression, format) -%}
    {%- if format in ['YYYY-MM-DD', 'YYYYMMDD', 'DD.MM.YYYY'] -%}
        {{ parse_date(expression, format) }}
    {%- elif format in ['DD/MM/YYYY', 'MM/DD/YYYY'] -%}
        {%- set day = 1 if format == 'DD/MM/YYYY' else 2 -%}
        case when {{ regex_full_match(expression, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') }} then
            {{ dbt.safe_cast(dbt.concat([
                dbt.split_part(expression, "'/'", 3), "'-'",
                "lpad(" ~ dbt.split_part(expression, "'/'", 3 - day) ~ ", 2, '0')", "'-'",
                "lpad(" ~ dbt.split_part(expression, "'/'", day) ~ ", 2, '0')",
            ]), 'date') }}
        end
    {%- else -%}
        cast({{ lake_parse_timestamp(expression, format) }} as date)
    {%- endif -%}
{%- endmacro %}

{% macro lake_parse_timestamp(expression, format) -%}
    {%- if format in ['YYYY-MM-DD', 'YYYYMMDD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY'] -%}
        cast({{ lake_parse_date(expression, format) }} as timestamp)
    {%- elif format in ['ISO8601', 'YYYY-MM-DD HH:MM:SS'] -%}
        {#- with an offset (converted to UTC) first, then a date or a local date and time (taken as UTC):
            one pattern test for the commonest shape -#}
        {%- set local_pattern = '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?' -%}
        case
            when {{ regex_full_match(expression, _date_format_pattern('ISO8601') | trim) }}
                then {{ adapter.dispatch('strptime_timestamp_utc', 'c360')(expression, 'ISO8601') }}
            when {{ regex_full_match(expression, local_pattern) }}
                then {{ dbt.safe_cast(dbt.replace(expression, "'T'", "' '"), 'timestamp') }}
        end
    {%- elif format == 'EPOCH' -%}
        case when {{ regex_full_match(expression, '[0-9]{1,12}') }} then
            {{ parse_timestamp_utc(dbt.concat([expression, "'000'"]), 'EPOCH_MILLIS') }}
        end
    {%- elif format in ['EPOCH_MILLIS', 'YYYYMMDDHHMMSS'] -%}
        {{ parse_timestamp_utc(expression, format) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "Unknown date/time format '" ~ format ~ "' (see models/staging/_lake_mappings__docs.md)"
        ) }}
    {%- endif -%}
{%- endmacro %}
