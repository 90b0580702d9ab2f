{#-
    Merges and splits of customers between runs, appended each time the identity registry
    (int_customer_ids_assigned) is rebuilt in the same dbt invocation; never fully refreshed.
    One row per (previous customer_id, new customer_id) whose contacts moved between them in this run:
      merge - the previous customer was absorbed whole into an older customer that already existed;
      move  - some contacts left a customer that still exists for an existing customer;
      split - contacts left a customer for a customer minted in this run;
      rekey - the one-off migration to keyed ids (var c360_rekey_customer_ids) replaced the id.
    The first build of an empty warehouse logs nothing (there is no previous run).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
    )
}}

with

assignments as (
    select * from {{ ref('int_customer_ids_assigned') }}
    where invocation_id = '{{ invocation_id }}'
),

moved as (
    select
        previous_customer_id as from_customer_id,
        customer_id as to_customer_id,
        count(*) as contacts_moved,
        min(contact_id) as example_contact_id,
        max(assigned_at) as logged_at,
        max(invocation_id) as invocation_id
    from assignments
    where previous_customer_id is not null and previous_customer_id <> customer_id
    group by previous_customer_id, customer_id
),

ids_now as (
    select distinct customer_id from assignments
),

ids_before as (
    select distinct previous_customer_id as customer_id
    from assignments
    where previous_customer_id is not null
),

final as (
    select
        moved.logged_at,
        moved.invocation_id,
        case
            {% if var('c360_rekey_customer_ids', false) -%}
                when moved.to_customer_id = {{ rekeyed_customer_id('moved.from_customer_id') }} then 'rekey'
            {% endif -%}
            when to_existed.customer_id is null then 'split'
            when from_remains.customer_id is null then 'merge'
            else 'move'
        end as event_type,
        moved.from_customer_id,
        moved.to_customer_id,
        from_remains.customer_id is null as is_from_customer_retired,
        moved.contacts_moved,
        moved.example_contact_id
    from moved
    left join ids_now as from_remains
        on moved.from_customer_id = from_remains.customer_id
    left join ids_before as to_existed
        on moved.to_customer_id = to_existed.customer_id
)

select * from final
