-- The cold-start segment proxy of every customer, as of c360_as_of(): the region (country of the golden
-- address, `unknown` when none) and the age band at the as-of date (macros/personalization/affinity.sql).
-- The ML segments (ml.customer_segments) are written by Python after dbt runs, so personalization does not
-- depend on them; this proxy is computed in dbt from the golden record alone.
with

customers as (
    select * from {{ ref('customers') }}
),

as_of as (
    select {{ c360_as_of() }} as as_of_date
),

final as (
    select
        customers.customer_id,
        coalesce(upper(customers.address_country), 'unknown') as region_code,
        {{ c360_age_band('customers.birth_date', 'as_of.as_of_date') }} as age_band,
        as_of.as_of_date
    from customers
    cross join as_of
)

select * from final
