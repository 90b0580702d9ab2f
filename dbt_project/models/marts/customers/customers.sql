-- The golden customer record: one row per customer_id, each attribute group taken whole from the one
-- source record its survivorship rule picks among the customer's contacts that have a value for it:
--   most_recent     - the record modified (else created) last;
--   most_complete   - the record with the most fields of the group filled, then the most complete record
--                     overall, then the most recent;
--   source_priority - the first source in var('c360_source_priority'), then the most recent.
-- Ties end on source priority and the contact id, so a rebuild picks the same record. Rules per group come
-- from var('c360_survivorship'); <group>_source_contact_id and <group>_survivorship_rule say which record
-- and which rule won ('only_value' when a single record had one). Holds personal data in clear: it is the
-- warehouse's master record, not a BI view; serving views mask it.
{%- set attribute_groups = {
    'name': [
        ('first_name', 'first_name'),
        ('last_name', 'last_name'),
        ('full_name', 'full_name'),
    ],
    'email': [('lower(trim(email_address_1))', 'email_address')],
    'telephone': [('phone_e164', 'telephone_e164')],
    'mobile_phone': [('mobile_e164', 'mobile_phone_e164')],
    'address': [
        ('address_1_line_1', 'address_line_1'),
        ('address_1_postal_code', 'address_postal_code'),
        ('address_1_city', 'address_city'),
        ('address_1_country', 'address_country'),
    ],
    'birth_date': [('birth_date', 'birth_date')],
} %}
{%- set rules = var('c360_survivorship') %}
{%- set source_priority = var('c360_source_priority') %}
{%- set completeness_fields = [
    'first_name', 'last_name', 'email_address_1', 'telephone_1', 'mobile_phone', 'address_1_line_1',
    'address_1_postal_code', 'address_1_city', 'birth_date',
] %}

with

contacts as (
    select * from {{ ref('int_contacts_normalized') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

members as (
    select
        identity_map.customer_id,
        identity_map.resolution_status,
        contacts.*,
        coalesce(contacts.modified_at, contacts.created_at) as last_changed_at,
        case contacts.source_system
            {%- for source in source_priority %}
                when '{{ source }}' then {{ loop.index }}
            {%- endfor %}
            else {{ source_priority | length + 1 }}
        end as source_rank,
        {% for field in completeness_fields -%}
            case when contacts.{{ field }} is not null then 1 else 0 end
            {%- if not loop.last %} + {% endif %}
        {% endfor %} as record_fields_filled
    from identity_map
    inner join contacts
        on identity_map.contact_id = contacts.contact_id
),

{% for group, fields in attribute_groups.items() %}
    {%- set rule = rules[group] %}
    {%- if rule == 'most_recent' %}
        {%- set order_by = 'last_changed_at desc nulls last, source_rank, contact_id' %}
    {%- elif rule == 'most_complete' %}
        {%- set filled = [] %}
        {%- for expression, alias in fields %}
            {%- do filled.append('case when ' ~ expression ~ ' is not null then 1 else 0 end') %}
        {%- endfor %}
        {%- set order_by = '(' ~ filled | join(' + ') ~ ') desc, record_fields_filled desc, '
            ~ 'last_changed_at desc nulls last, source_rank, contact_id' %}
    {%- elif rule == 'source_priority' %}
        {%- set order_by = 'source_rank, last_changed_at desc nulls last, contact_id' %}
    {%- else %}
        {{ exceptions.raise_compiler_error(
            "var('c360_survivorship')['" ~ group ~ "'] is '" ~ rule
            ~ "'; use most_recent, most_complete or source_priority"
        ) }}
    {%- endif %}
    {{ group }}_candidates as (
        select
            customer_id,
            contact_id as {{ group }}_source_contact_id,
            {%- for expression, alias in fields %}
                {{ expression }} as {{ alias }},
            {%- endfor %}
            count(*) over (partition by customer_id) as candidate_count,
            row_number() over (partition by customer_id order by {{ order_by }}) as survivor_rank
        from members
        where
            {%- for expression, alias in fields %}
                {{ expression }} is not null{% if not loop.last %} or{% endif %}
            {%- endfor %}
    ),

    {{ group }}_survivor as (
        select
            customer_id,
            {%- for expression, alias in fields %}
                {{ alias }},
            {%- endfor %}
            {{ group }}_source_contact_id,
            case when candidate_count = 1 then 'only_value' else '{{ rule }}' end as {{ group }}_survivorship_rule
        from {{ group }}_candidates
        where survivor_rank = 1
    ),

{% endfor %}

customer_sources as (
    select distinct
        customer_id,
        source_system
    from members
),

source_lists as (
    select
        customer_id,
        {{ dbt.listagg('source_system', "','", 'order by source_system') }} as source_systems
    from customer_sources
    group by customer_id
),

customer_base as (
    select
        customer_id,
        max(resolution_status) as resolution_status,
        count(*) as source_record_count,
        max(case when do_not_bulk_email then 1 else 0 end) = 1 as do_not_bulk_email,
        min(created_at) as first_created_at,
        max(last_changed_at) as last_changed_at
    from members
    group by customer_id
),

first_seen as (
    select
        customer_id,
        min(customer_first_seen_at) as customer_first_seen_at
    from {{ ref('int_customer_ids_assigned') }}
    group by customer_id
),

final as (
    select
        customer_base.customer_id,
        {%- for group, fields in attribute_groups.items() %}
            {%- for expression, alias in fields %}
                {{ group }}_survivor.{{ alias }},
            {%- endfor %}
        {%- endfor %}
        customer_base.do_not_bulk_email,
        customer_base.source_record_count,
        source_lists.source_systems,
        customer_base.resolution_status,
        customer_base.first_created_at,
        customer_base.last_changed_at,
        first_seen.customer_first_seen_at,
        {%- for group in attribute_groups %}
            {{ group }}_survivor.{{ group }}_source_contact_id,
            {{ group }}_survivor.{{ group }}_survivorship_rule{% if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_base
    inner join source_lists
        on customer_base.customer_id = source_lists.customer_id
    inner join first_seen
        on customer_base.customer_id = first_seen.customer_id
    {%- for group in attribute_groups %}
        left join {{ group }}_survivor
            on customer_base.customer_id = {{ group }}_survivor.customer_id
    {%- endfor %}
)

select * from final
