-- One row per declared lake source table: where it is read from, how many files and rows were found,
-- and where the rows went. A source without files is staged empty and flagged here. Files in its folder that no
-- source's path matches are listed (unread_files; each is also a warning line in lake_file_issues).
{%- set lake_tables = lake_tables(lake_mapped_tables(), hand_written_lake_tables()) %}
{%- set unread_files = lake_unread_files(lake_source_globs(lake_tables)) %}

with

row_counts as (
    {% for lake_table in lake_tables %}
        select
            '{{ lake_table.source_system }}.{{ lake_table.table_name }}' as source_name,
            '{{ lake_table.source_system }}' as source_system,
            (select count(*) from {{ ref(lake_table.base_model) }}) as rows_in,
            (select count(*) from {{ ref(lake_table.staged_model) }}) as rows_staged,
            (
                select count(*) from {{ ref(lake_table.base_model) }}
                where rejection_code is not null
            ) as rows_quarantined
        {% if not loop.last %}
            union all
        {% endif %}
    {% endfor %}
),

lake_files as (
    {% for lake_table in lake_tables %}
        {%- set lake_path = lake_source_path(lake_source_spec(lake_table.source_system, lake_table.table_name))
            if execute else '' %}
        select
            '{{ lake_table.source_system }}.{{ lake_table.table_name }}' as source_name,
            '{{ lake_path }}' as lake_path,
            {{ lake_file_count_sql(lake_path) }} as files_found
        {% if not loop.last %}
            union all
        {% endif %}
    {% endfor %}
),

unread_files as (
    select
        unread.source_table as source_name,
        count(*) as unread_file_count,
        {{ dbt.listagg('unread.source_file', "', '", 'order by unread.source_file') }} as unread_files
    from ({{ unread_files }}) as unread
    group by unread.source_table
),

final as (
    select
        row_counts.source_name,
        row_counts.source_system,
        lake_files.lake_path,
        lake_files.files_found,
        row_counts.rows_in,
        row_counts.rows_staged,
        row_counts.rows_quarantined,
        coalesce(unread_files.unread_file_count, 0) as unread_file_count,
        unread_files.unread_files,
        case
            when lake_files.files_found = 0 then 'missing'
            when row_counts.rows_in = 0 then 'empty'
            else 'ok'
        end as lake_status,
        case
            when lake_files.files_found = 0
                then {{ dbt.concat([
                    "'Lake source '", 'row_counts.source_name', "': no files match '", 'lake_files.lake_path',
                    "'; staged empty'",
                ]) }}
            when row_counts.rows_in = 0
                then {{ dbt.concat(["'Lake source '", 'row_counts.source_name', "': its files hold no rows'"]) }}
        end as warning_message
    from row_counts
    inner join lake_files
        on row_counts.source_name = lake_files.source_name
    left join unread_files
        on row_counts.source_name = unread_files.source_name
)

select * from final
