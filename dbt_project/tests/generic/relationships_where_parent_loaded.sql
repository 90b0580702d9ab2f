{#-
    Like dbt's relationships test, but only when the parent holds rows: a partial lake (e.g. only shop
    orders, no shop accounts) stages children whose parents were never delivered, and staging checks a
    reference only when the parent source was delivered. NULL child values are ignored.
-#}
{% test relationships_where_parent_loaded(model, column_name, to, field) %}

with

child as (
    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as parent_value
    from {{ to }}
),

parent_loaded as (
    select count(*) > 0 as is_loaded
    from parent
),

final as (
    select child.child_value
    from child
    cross join parent_loaded
    left join parent
        on child.child_value = parent.parent_value
    where parent_loaded.is_loaded and parent.parent_value is null
)

select * from final

{% endtest %}
