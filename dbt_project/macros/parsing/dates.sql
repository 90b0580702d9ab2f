{#-
    Dates and timestamps from the formats the lake uses. Each returns NULL when the text does not have
    the expected shape or is not a real calendar value (2025-02-30), so a check can quarantine the row.
    Timestamps come out as TIMESTAMP without time zone, holding UTC.

    parse_date(expression, format)            format: 'YYYYMMDD' | 'DD.MM.YYYY' | 'YYYY-MM-DD'
    parse_timestamp_utc(expression, format)   format: 'ISO8601' (offset or Z, converted to UTC)
                                                      | 'YYYYMMDDHHMMSS' (already UTC)
                                                      | 'EPOCH_MILLIS' (milliseconds since 1970, UTC)
    to_utc_timestamp(expression)              a TIMESTAMP WITH TIME ZONE value -> UTC TIMESTAMP
-#}

{% macro _date_format_pattern(format) -%}
    {%- set patterns = {
        'YYYYMMDD': '[0-9]{8}',
        'DD.MM.YYYY': '[0-9]{2}[.][0-9]{2}[.][0-9]{4}',
        'YYYY-MM-DD': '[0-9]{4}-[0-9]{2}-[0-9]{2}',
        'YYYYMMDDHHMMSS': '[0-9]{14}',
        'ISO8601': '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)',
        'EPOCH_MILLIS': '[0-9]{1,15}',
    } -%}
    {%- if format not in patterns -%}
        {{ exceptions.raise_compiler_error("Unknown date/time format '" ~ format ~ "'") }}
    {%- endif -%}
    {{ patterns[format] }}
{%- endmacro %}


{% macro parse_date(expression, format) -%}
    case when {{ regex_full_match(expression, _date_format_pattern(format) | trim) }} then
    {{- ' ' ~ adapter.dispatch('strptime_date', 'c360')(expression, format) }} end
{%- endmacro %}

{% macro default__strptime_date(expression, format) -%}
    {{ spark__strptime_date(expression, format) }}
{%- endmacro %}

{% macro spark__strptime_date(expression, format) -%}
    {%- set spark_formats = {'YYYYMMDD': 'yyyyMMdd', 'DD.MM.YYYY': 'dd.MM.yyyy', 'YYYY-MM-DD': 'yyyy-MM-dd'} -%}
    cast(try_to_timestamp({{ expression }}, '{{ spark_formats[format] }}') as date)
{%- endmacro %}

{% macro duckdb__strptime_date(expression, format) -%}
    {%- set duckdb_formats = {'YYYYMMDD': '%Y%m%d', 'DD.MM.YYYY': '%d.%m.%Y', 'YYYY-MM-DD': '%Y-%m-%d'} -%}
    cast(try_strptime({{ expression }}, '{{ duckdb_formats[format] }}') as date)
{%- endmacro %}


{% macro parse_timestamp_utc(expression, format) -%}
    case when {{ regex_full_match(expression, _date_format_pattern(format) | trim) }} then
    {{- ' ' ~ adapter.dispatch('strptime_timestamp_utc', 'c360')(expression, format) }} end
{%- endmacro %}

{% macro default__strptime_timestamp_utc(expression, format) -%}
    {{ spark__strptime_timestamp_utc(expression, format) }}
{%- endmacro %}

{#- Spark: assumes spark.sql.session.timeZone = UTC, so timestamps hold UTC wall time. -#}
{% macro spark__strptime_timestamp_utc(expression, format) -%}
    {%- if format == 'ISO8601' -%}
        to_utc_timestamp(try_to_timestamp({{ expression }}), 'UTC')
    {%- elif format == 'YYYYMMDDHHMMSS' -%}
        try_to_timestamp({{ expression }}, 'yyyyMMddHHmmss')
    {%- elif format == 'EPOCH_MILLIS' -%}
        timestamp_millis(cast({{ expression }} as bigint))
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__strptime_timestamp_utc(expression, format) -%}
    {%- if format == 'ISO8601' -%}
        timezone('UTC', try_cast({{ expression }} as timestamptz))
    {%- elif format == 'YYYYMMDDHHMMSS' -%}
        try_strptime({{ expression }}, '%Y%m%d%H%M%S')
    {%- elif format == 'EPOCH_MILLIS' -%}
        epoch_ms(cast({{ expression }} as bigint))
    {%- endif -%}
{%- endmacro %}


{% macro to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'c360')(expression)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expression) -%}
    {#- Spark keeps timestamps as instants shown in the session time zone (UTC for c360). -#}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expression) -%}
    timezone('UTC', cast({{ expression }} as timestamptz))
{%- endmacro %}
