-- The verdict on every line of the shop order files: a web-shop order is one record of the source, so
-- it is staged whole or quarantined whole. A defect in any of its nested lines (negative quantity,
-- unknown sku, ...) quarantines the order with all its lines, and the reason names the line.
with

orders as (
    select * from {{ ref('base_shop__orders_parsed') }}
),

order_lines as (
    select * from {{ ref('base_shop__order_lines') }}
),

line_verdicts as (
    select
        source_file,
        line_number,
        count(*) as element_count,
        {{ dbt.listagg('line_rejection_reason', "'; '", 'order by line_index') }} as lines_rejection_reason
    from order_lines
    group by source_file, line_number
),

checked as (
    select
        orders.*,
        case
            when orders.rejection_code is null and coalesce(line_verdicts.element_count, 0) = 0
                then 'bad_value: lines is empty'
        end as check_has_lines,
        line_verdicts.lines_rejection_reason
    from orders
    left join line_verdicts
        on
            orders.source_file = line_verdicts.source_file
            and orders.line_number = line_verdicts.line_number
),

final as (
    select
        source_file,
        line_number,
        row_key,
        raw_record,
        coalesce(
            rejection_code,
            {{ dbt.split_part('coalesce(check_has_lines, lines_rejection_reason)', "':'", 1) }}
        ) as rejection_code,
        nullif(concat_ws('; ', rejection_reason, check_has_lines, lines_rejection_reason), '') as rejection_reason,
        order_id,
        account_id,
        offer_id,
        order_status,
        ordered_at,
        transaction_currency_code,
        shipping_amount
    from checked
)

select * from final
