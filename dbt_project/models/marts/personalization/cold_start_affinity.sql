-- Category popularity for customers without history, precomputed as of c360_as_of(): per region x segment
-- (popularity_scope = region_segment; region and age band from int_customers_segmented) and over everyone
-- (popularity_scope = global, region_code and age_band = 'all'). A category's popularity is the mean of
-- its affinity_share (product_affinity, dimension category) over the customers of the cell who have
-- history, so every customer weighs the same however much they buy. A region x segment cell needs at
-- least var c360_cold_start_min_customers customers with history; smaller cells are left out and their
-- customers fall back to the global ranking (next_best_offer says which one it used).
{%- set min_customers = var('c360_cold_start_min_customers', 10) | int %}

with

category_affinity as (
    select * from {{ ref('product_affinity') }}
    where affinity_dimension = 'category'
),

segments as (
    select * from {{ ref('int_customers_segmented') }}
),

as_of as (
    select {{ c360_as_of() }} as as_of_date
),

customer_shares as (
    select
        category_affinity.customer_id,
        category_affinity.affinity_value as product_category,
        category_affinity.affinity_share,
        segments.region_code,
        segments.age_band
    from category_affinity
    inner join segments
        on category_affinity.customer_id = segments.customer_id
),

cell_sizes as (
    select
        region_code,
        age_band,
        count(distinct customer_id) as customers_with_history
    from customer_shares
    group by region_code, age_band
),

global_size as (
    select count(distinct customer_id) as customers_with_history
    from customer_shares
),

segment_popularity as (
    select
        'region_segment' as popularity_scope,
        customer_shares.region_code,
        customer_shares.age_band,
        customer_shares.product_category,
        sum(customer_shares.affinity_share) / max(cell_sizes.customers_with_history) as popularity_score,
        count(distinct customer_shares.customer_id) as interested_customers,
        max(cell_sizes.customers_with_history) as customers_with_history
    from customer_shares
    inner join cell_sizes
        on
            customer_shares.region_code = cell_sizes.region_code
            and customer_shares.age_band = cell_sizes.age_band
    where cell_sizes.customers_with_history >= {{ min_customers }}
    group by customer_shares.region_code, customer_shares.age_band, customer_shares.product_category
),

global_popularity as (
    select
        'global' as popularity_scope,
        'all' as region_code,
        'all' as age_band,
        customer_shares.product_category,
        sum(customer_shares.affinity_share) / max(global_size.customers_with_history) as popularity_score,
        count(distinct customer_shares.customer_id) as interested_customers,
        max(global_size.customers_with_history) as customers_with_history
    from customer_shares
    cross join global_size
    group by customer_shares.product_category
),

unioned as (
    select * from segment_popularity
    union all
    select * from global_popularity
),

final as (
    select
        cast(unioned.popularity_scope as {{ dbt.type_string() }}) as popularity_scope,
        cast(unioned.region_code as {{ dbt.type_string() }}) as region_code,
        cast(unioned.age_band as {{ dbt.type_string() }}) as age_band,
        cast(unioned.product_category as {{ dbt.type_string() }}) as product_category,
        cast(unioned.popularity_score as double) as popularity_score,
        cast(row_number() over (
            partition by unioned.popularity_scope, unioned.region_code, unioned.age_band
            order by unioned.popularity_score desc, unioned.product_category asc
        ) as {{ dbt.type_bigint() }}) as popularity_rank,
        cast(unioned.interested_customers as {{ dbt.type_bigint() }}) as interested_customers,
        cast(unioned.customers_with_history as {{ dbt.type_bigint() }}) as customers_with_history,
        as_of.as_of_date
    from unioned
    cross join as_of
)

select * from final
