with

fx_rates as (
    select * from {{ ref('base_reference__fx_rates') }}
    where rejection_code is null
),

final as (
    select
        currency_code,
        'reference' as source_system,
        currency_code as source_record_id,
        eur_per_unit,
        source_file
    from fx_rates
)

select * from final
