-- Every source's contacts in one table: the staging contact models (hand-written and generated from lake
-- mappings, macro c360_contact_models) share the conformed column list, selected by name so a column order
-- change in one of them cannot shift values. Customers named by orders of a system that maps no contact
-- source (an order log alone: macro c360_order_implied_contact_sources) join as contacts with their id alone,
-- created at their first order, so such orders resolve to customers too.
{%- set contact_models = c360_contact_models() %}
{%- set implied_sources = c360_order_implied_contact_sources() %}
{%- set text_type = dbt.type_string() %}

with

{% for contact_model in contact_models %}
    {{ contact_model }} as (
        select * from {{ ref(contact_model) }}
    ),

{% endfor %}
unioned as (
    {% for contact_model in contact_models %}
        select
            contact_id,
            source_system,
            source_record_id,
            first_name,
            last_name,
            full_name,
            nick_name,
            email_address_1,
            telephone_1,
            mobile_phone,
            address_1_line_1,
            address_1_city,
            address_1_postal_code,
            address_1_country,
            birth_date,
            birth_year,
            government_id,
            do_not_bulk_email,
            linked_source_system,
            linked_source_record_id,
            created_at,
            modified_at,
            source_file
        from {{ contact_model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{%- for implied in implied_sources %}

    implied_{{ loop.index }} as (
        select
            customer_contact_id as contact_id,
            customer_source_system as source_system,
            customer_source_record_id as source_record_id,
            cast(null as {{ text_type }}) as first_name,
            cast(null as {{ text_type }}) as last_name,
            cast(null as {{ text_type }}) as full_name,
            cast(null as {{ text_type }}) as nick_name,
            cast(null as {{ text_type }}) as email_address_1,
            cast(null as {{ text_type }}) as telephone_1,
            cast(null as {{ text_type }}) as mobile_phone,
            cast(null as {{ text_type }}) as address_1_line_1,
            cast(null as {{ text_type }}) as address_1_city,
            cast(null as {{ text_type }}) as address_1_postal_code,
            cast(null as {{ text_type }}) as address_1_country,
            cast(null as date) as birth_date,
            cast(null as {{ dbt.type_int() }}) as birth_year,
            cast(null as {{ text_type }}) as government_id,
            cast(null as {{ dbt.type_boolean() }}) as do_not_bulk_email,
            cast(null as {{ text_type }}) as linked_source_system,
            cast(null as {{ text_type }}) as linked_source_record_id,
            min(ordered_at) as created_at,
            max(ordered_at) as modified_at,
            min(source_file) as source_file
        from {{ ref(implied.staged_model) }}
        where customer_contact_id is not null
        group by customer_contact_id, customer_source_system, customer_source_record_id
    ),
{%- endfor %}

final as (
    select * from unioned
    {%- for implied in implied_sources %}
        union all
        select * from implied_{{ loop.index }}
    {%- endfor %}
)

select * from final
