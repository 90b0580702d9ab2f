{#- The combination of the given columns is unique in the model (one row per combination). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

duplicates as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
)

select * from duplicates

{% endtest %}
