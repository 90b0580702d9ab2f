-- total_amount = sum of the staged lines' extended amounts (ERP orders have no shipping); the header's
-- own NETWR is only checked to be a number.
with

sales_orders as (
    select * from {{ ref('base_erp__sales_orders') }}
    where rejection_code is null
),

sales_order_lines as (
    select * from {{ ref('stg_erp__sales_order_lines') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

line_totals as (
    select
        sales_order_id,
        count(*) as line_count,
        sum(extended_amount) as lines_amount,
        sum(extended_amount_eur) as lines_amount_eur
    from sales_order_lines
    group by sales_order_id
),

joined as (
    select
        sales_orders.*,
        {{ dbt.concat(["'erp:'", 'sales_orders.vbeln']) }} as sales_order_id,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.lines_amount, 0) as lines_amount,
        case
            when fx_rates.eur_per_unit is not null then coalesce(line_totals.lines_amount_eur, 0)
        end as lines_amount_eur,
        fx_rates.eur_per_unit
    from sales_orders
    left join line_totals
        on {{ dbt.concat(["'erp:'", 'sales_orders.vbeln']) }} = line_totals.sales_order_id
    left join fx_rates
        on sales_orders.transaction_currency_code = fx_rates.currency_code
),

final as (
    select
        sales_order_id,
        'erp' as source_system,
        vbeln as source_record_id,
        vbeln as order_number,
        'erp' as channel,
        'erp' as customer_source_system,
        kunnr as customer_source_record_id,
        {{ dbt.concat(["'erp:'", 'kunnr']) }} as customer_contact_id,
        cast(null as string) as store_id,
        cast(null as string) as offer_id,
        -- the ERP exports booked orders only and has no status column
        'completed' as order_status,
        ordered_at,
        order_date,
        transaction_currency_code,
        cast(0 as decimal(18, 2)) as shipping_amount,
        cast(case when eur_per_unit is not null then 0 end as decimal(18, 2)) as shipping_amount_eur,
        cast(lines_amount as decimal(18, 2)) as total_amount,
        cast(lines_amount_eur as decimal(18, 2)) as total_amount_eur,
        cast(line_count as integer) as line_count,
        source_file
    from joined
)

select * from final
