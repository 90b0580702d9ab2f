-- Rows in = rows out: int_contacts_normalized holds exactly one row per staged contact of the five
-- source systems (the nickname join must not fan out). Returns a row only when the counts differ.
with

staged_contacts as (
    select count(*) as contact_count from {{ ref('stg_crm__contacts') }}
    union all
    select count(*) as contact_count from {{ ref('stg_erp__contacts') }}
    union all
    select count(*) as contact_count from {{ ref('stg_shop__contacts') }}
    union all
    select count(*) as contact_count from {{ ref('stg_pos__contacts') }}
    union all
    select count(*) as contact_count from {{ ref('stg_game__contacts') }}
),

staged as (
    select sum(contact_count) as staged_count from staged_contacts
),

normalized as (
    select count(*) as normalized_count from {{ ref('int_contacts_normalized') }}
),

final as (
    select
        staged.staged_count,
        normalized.normalized_count
    from staged
    cross join normalized
    where staged.staged_count <> normalized.normalized_count
)

select * from final
