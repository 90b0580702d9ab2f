{#-
    First step of every base model reading a text source: split or parse each raw line and decide
    whether its structure is usable. Both return one row per data line with
        source_file, line_number, raw_record, structure_rejection (NULL or 'code: text')
    plus the parsed fields:
      split_csv_lines: one text column per CSV column (trimmed, empty string -> NULL), named by the
                       lower-cased header name or by an alias ('group as exposure_group'). Line 1 of
                       each file is the header: it is not a data row, but a header that differs from
                       the expected columns rejects every row of that file (header_mismatch).
      parse_json_lines: json_record, the line when it is a JSON object (else NULL).
    The CSV layout is written out in each base model (the lake contract, as in the source's YAML), so a
    unit test can compile the model without the dbt graph.
-#}
{% macro split_csv_lines(relation, columns, delimiter=',') -%}
    {%- set names = [] -%}
    {%- set field_columns = [] -%}
    {%- for column in columns -%}
        {%- set parts = column.split(' as ') -%}
        {%- do names.append(parts[0] | trim) -%}
        {%- set alias = (parts[1] if parts | length > 1 else parts[0]) | trim | lower -%}
        {%- do field_columns.append(clean_text(csv_field('csv_lines.csv_values', loop.index)) ~ ' as ' ~ alias) -%}
    {%- endfor -%}
    {%- set expected_header = names | join(delimiter) | lower -%}
    select
        csv_lines.source_file,
        csv_lines.line_number,
        csv_lines.raw_record,
        {{ field_columns | join(', ') }}{{ ',' if field_columns }}
        case
            when {{ clean_text('csv_lines.raw_record') }} is null
                then 'blank_line: the line is empty'
            when csv_lines.file_header is null
                or lower({{ dbt.replace(dbt.replace('csv_lines.file_header', "'\"'", "''"), "' '", "''") }})
                <> '{{ expected_header }}'
                then 'header_mismatch: the file header is not {{ expected_header }}'
            when {{ csv_field_count('csv_lines.csv_values') }} <> {{ columns | length }}
                then 'wrong_field_count: the line does not have {{ columns | length }} fields'
        end as structure_rejection
    from (
        select
            source_file,
            line_number,
            raw_record,
            {{ csv_fields('raw_record', delimiter) }} as csv_values,
            max(case when line_number = 1 then raw_record end) over (partition by source_file) as file_header
        from {{ relation }}
    ) as csv_lines
    where csv_lines.line_number > 1
{%- endmacro %}


{% macro parse_json_lines(relation) -%}
    select
        source_file,
        line_number,
        raw_record,
        case when {{ json_is_object('raw_record') }} then raw_record end as json_record,
        case
            when {{ clean_text('raw_record') }} is null
                then 'blank_line: the line is empty'
            when not {{ json_is_object('raw_record') }}
                then 'broken_json: the line is not a JSON object'
        end as structure_rejection
    from {{ relation }}
{%- endmacro %}


{#-
    rejection_code and rejection_reason from check columns, each NULL (passed) or 'code: text'.
    A structural rejection (blank line, broken JSON, wrong header or field count) is the only reason
    given for its row; otherwise every failed check is listed, the first one's code being the code.
    structure_column=none when there is no structural check; prefix names the two columns <prefix>rejection_*.
-#}
{% macro rejection_columns(checks, structure_column='structure_rejection', prefix='') -%}
    {%- set all_checks = ([structure_column] if structure_column else []) + checks -%}
    {{ dbt.split_part('coalesce(\n        ' ~ all_checks | join(',\n        ') ~ '\n    )', "':'", 1) }}
        as {{ prefix }}rejection_code,
    {% if structure_column %}
    coalesce(
        {{ structure_column }},
        nullif(concat_ws(
            '; ',
            {{ checks | join(',\n            ') }}
        ), '')
    ) as {{ prefix }}rejection_reason
    {%- else %}
    nullif(concat_ws(
        '; ',
        {{ checks | join(',\n        ') }}
    ), '') as {{ prefix }}rejection_reason
    {% endif %}
{%- endmacro %}


{#- The row key shown in quarantine: the record key, or line:N when the row has none. -#}
{% macro row_key(key_expression) -%}
    coalesce({{ key_expression }}, {{ dbt.concat(["'line:'", dbt.cast('line_number', dbt.type_string())]) }})
{%- endmacro %}


{#-
    1 for the first occurrence of a record key, 2, 3, ... for its duplicates. The first well-formed row
    wins (a structurally rejected row never shadows a good one), then file and line order.
-#}
{% macro key_occurrence(key_columns) -%}
    row_number() over (
        partition by {{ key_columns }}
        order by case when structure_rejection is null then 0 else 1 end, source_file, line_number
    )
{%- endmacro %}
