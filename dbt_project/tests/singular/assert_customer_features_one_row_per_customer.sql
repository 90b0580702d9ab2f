-- customer_features has exactly one row per customer of `customers`, none dropped, none added: returns a row
-- when the row counts differ, and one per customer that has no features row.
with

customers as (
    select * from {{ ref('customers') }}
),

customer_features as (
    select * from {{ ref('customer_features') }}
),

row_counts as (
    select
        (select count(*) from customers) as customer_rows,
        (select count(*) from customer_features) as feature_rows
),

count_mismatch as (
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        'row counts differ' as problem,
        customer_rows,
        feature_rows
    from row_counts
    where customer_rows <> feature_rows
),

missing_customers as (
    select
        customers.customer_id,
        'customer has no features row' as problem,
        cast(null as {{ dbt.type_bigint() }}) as customer_rows,
        cast(null as {{ dbt.type_bigint() }}) as feature_rows
    from customers
    left join customer_features
        on customers.customer_id = customer_features.customer_id
    where customer_features.customer_id is null
),

final as (
    select * from count_mismatch
    union all
    select * from missing_customers
)

select * from final
