-- Every source's contacts in one table: the staging contact models (hand-written and generated from lake
-- mappings, macro c360_contact_models) share the conformed column list, selected by name so a column order
-- change in one of them cannot shift values.
{%- set contact_models = c360_contact_models() %}

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

final as (
    select * from unioned
)

select * from final
