-- Rows in = rows out: int_contacts_normalized holds exactly one row per staged contact of every
-- source system (c360_contact_models) and per customer id named by the orders of a system without contacts
-- (c360_order_implied_contact_sources) (the nickname join must not fan out). Returns a row only when the counts
-- differ.
with

staged_contacts as (
    {%- for contact_model in c360_contact_models() %}
        select count(*) as contact_count from {{ ref(contact_model) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- for implied in c360_order_implied_contact_sources() %}
        union all
        select count(distinct customer_contact_id) as contact_count from {{ ref(implied.staged_model) }}
    {%- endfor %}
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
