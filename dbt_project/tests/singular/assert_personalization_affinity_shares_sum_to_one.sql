-- Shares are shares: a customer's affinity_share sums to 1 per dimension (product_affinity), and a cold-start
-- cell's popularity_score sums to 1 (cold_start_affinity). Returns the groups that do not.
with

affinity_sums as (
    select
        'product_affinity' as model_name,
        customer_id as group_key,
        affinity_dimension as dimension,
        sum(affinity_share) as share_sum
    from {{ ref('product_affinity') }}
    group by customer_id, affinity_dimension
),

popularity_sums as (
    select
        'cold_start_affinity' as model_name,
        {{ dbt.concat(['region_code', "'|'", 'age_band']) }} as group_key,
        popularity_scope as dimension,
        sum(popularity_score) as share_sum
    from {{ ref('cold_start_affinity') }}
    group by popularity_scope, region_code, age_band
),

final as (
    select * from affinity_sums
    where abs(share_sum - 1) > 0.000001
    union all
    select * from popularity_sums
    where abs(share_sum - 1) > 0.000001
)

select * from final
