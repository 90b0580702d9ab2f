-- Every purchase of a resolved customer, one row each, on every date (macro c360_customer_purchases): the one
-- purchase history the features, the labels and the models' rolling backtests (ml/backtest.py) share.

with

sales_orders as (
    select * from {{ ref('sales_orders') }}
),

game_events as (
    select * from {{ ref('stg_game__game_events') }}
),

game_accounts as (
    select * from {{ ref('int_game_accounts_resolved') }}
),

final as (
    {{ c360_customer_purchases('sales_orders', 'game_events', 'game_accounts') | indent(4) }}
)

select * from final
