-- One line per lake file that needs a person's attention, so a file is reported once and not only as
-- thousands of quarantined rows: a file all of whose rows were quarantined (with its most common reason),
-- and a file of a mapped source that lacks mapped columns (required ones quarantine its rows; optional
-- ones are staged as NULL), a file in a source's folder that no source's path matches (it is not read), and
-- a file that cannot be read (a compressed file of zero bytes or cut short, a .gz file without gzip data, text
-- not in the source's encoding, a broken Parquet file: left out of the read, so the source's other files stage),
-- and schema drift between the files of a source (lake_file_drift): a JSON field a file lacks though most files
-- of its source have it, a Parquet column or JSON field of another type than in most files.
{%- set lake_tables = lake_tables(lake_mapped_tables(), hand_written_lake_tables()) %}
{%- set lake_sources = lake_source_globs(lake_tables) %}
{%- set unread_files = lake_unread_files(lake_sources) %}
{%- set unreadable_files = lake_unreadable_files(lake_sources) %}
{%- set column_drift = lake_file_drift(lake_mapped_tables()) %}
{%- set mapped_base_models = lake_mapped_tables() | map(attribute='base_model') | list %}

with

file_rows as (
    {% for lake_table in lake_tables %}
        {%- set missing_columns = 'missing_columns' if lake_table.base_model in mapped_base_models
            else 'cast(null as ' ~ dbt.type_string() ~ ')' %}
        select
            '{{ lake_table.source_system }}.{{ lake_table.table_name }}' as source_table,
            source_file,
            rejection_reason,
            {{ missing_columns }} as missing_columns
        from {{ ref(lake_table.base_model) }}
        {% if not loop.last %}
            union all
        {% endif %}
    {% endfor %}
),

file_counts as (
    select
        source_table,
        source_file,
        count(*) as rows_in,
        count(rejection_reason) as rows_quarantined,
        max(missing_columns) as missing_columns
    from file_rows
    group by source_table, source_file
),

unread_files as (
    {{ unread_files }}
),

unreadable_files as (
    {{ unreadable_files }}
),

column_drift as (
    {{ column_drift }}
),

drifted_files as (
    select
        source_table,
        source_file,
        drift,
        {{ dbt.listagg('column_label', "', '", 'order by column_label') }} as drifted_columns
    from (
        select
            source_table,
            source_file,
            drift,
            case
                when drift = 'retyped'
                    then {{ dbt.concat([
                        "column_name", "' ('", "file_type", "' here, '", "source_type", "' in most files)'",
                    ]) }}
                else column_name
            end as column_label
        from column_drift
    ) as drifted_columns
    group by source_table, source_file, drift
),

reasons_ranked as (
    select
        source_table,
        source_file,
        rejection_reason,
        row_number() over (
            partition by source_table, source_file order by count(*) desc, rejection_reason
        ) as reason_rank
    from file_rows
    where rejection_reason is not null
    group by source_table, source_file, rejection_reason
),

-- lines about whole files, whose rows are not counted: not read (no path matches, or unreadable) or drifted
file_lines as (
    select
        source_table,
        source_file,
        cast(null as {{ dbt.type_string() }}) as missing_columns,
        cast(null as {{ dbt.type_string() }}) as retyped_columns,
        'unread_file' as issue_code,
        {{ dbt.concat([
            "'Lake file '", 'source_file', "' (in the folder of '", 'source_table',
            "'): no lake source''s path matches it, so it is not read; declare it in a sources YAML or widen a glob'",
        ]) }} as issue_message
    from unread_files

    union all

    select
        source_table,
        source_file,
        cast(null as {{ dbt.type_string() }}) as missing_columns,
        cast(null as {{ dbt.type_string() }}) as retyped_columns,
        'unreadable_file' as issue_code,
        {{ dbt.concat([
            "'Lake file '", 'source_file', "' ('", 'source_table', "'): unreadable, '", 'problem',
            "'; it is not read, the source''s other files are'",
        ]) }} as issue_message
    from unreadable_files

    union all

    select
        source_table,
        source_file,
        case when drift = 'missing' then drifted_columns end as missing_columns,
        case when drift = 'retyped' then drifted_columns end as retyped_columns,
        case when drift = 'missing' then 'missing_columns' else 'retyped_columns' end as issue_code,
        case
            when drift = 'missing'
                then {{ dbt.concat([
                    "'Lake file '", 'source_file', "' ('", 'source_table', "'): none of its first rows has '",
                    'drifted_columns',
                    "', though most of the source''s files have it (dropped or renamed? a field under a new name "
                    ~ "is kept in extra_attributes); staged as NULL, a required one quarantines its rows'",
                ]) }}
            else {{ dbt.concat([
                "'Lake file '", 'source_file', "' ('", 'source_table',
                "'): other type than the source''s other files: '",
                'drifted_columns', "'; values are parsed as text, one that does not parse is in attribute_issues "
                ~ "or quarantines its row'",
            ]) }}
        end as issue_message
    from drifted_files
),

final as (
    select
        file_counts.source_table,
        file_counts.source_file,
        file_counts.rows_in,
        file_counts.rows_quarantined,
        file_counts.missing_columns,
        cast(null as {{ dbt.type_string() }}) as retyped_columns,
        case
            when file_counts.rows_quarantined = file_counts.rows_in then 'all_rows_rejected'
            else 'missing_columns'
        end as issue_code,
        case
            when file_counts.rows_quarantined = file_counts.rows_in
                then {{ dbt.concat([
                    "'Lake file '", 'file_counts.source_file', "' ('", 'file_counts.source_table', "'): all '",
                    dbt.cast('file_counts.rows_in', dbt.type_string()), "' rows quarantined, e.g. '",
                    'reasons_ranked.rejection_reason',
                ]) }}
            else {{ dbt.concat([
                "'Lake file '", 'file_counts.source_file', "' ('", 'file_counts.source_table',
                "'): no column '", 'file_counts.missing_columns', "' (mapped; staged as NULL)'",
            ]) }}
        end as issue_message
    from file_counts
    left join reasons_ranked
        on
            file_counts.source_table = reasons_ranked.source_table
            and file_counts.source_file = reasons_ranked.source_file
            and reasons_ranked.reason_rank = 1
    where
        file_counts.rows_quarantined = file_counts.rows_in
        or file_counts.missing_columns is not null

    union all

    select
        source_table,
        source_file,
        cast(null as {{ dbt.type_bigint() }}) as rows_in,
        cast(null as {{ dbt.type_bigint() }}) as rows_quarantined,
        missing_columns,
        retyped_columns,
        issue_code,
        issue_message
    from file_lines
)

select * from final
