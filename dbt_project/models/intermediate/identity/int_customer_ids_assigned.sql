{#-
    Identity resolution, step 6 (name): a stable customer_id for every cluster, remembered between runs.
    This table is the identity registry: incremental, never fully refreshed (`full_refresh: false`, so
    `dbt build --full-refresh` keeps it), one row per contact ever seen. Each run reads the ids the previous
    run gave its contacts:
      - a cluster whose contacts carried one id keeps it (new records joining a person never change the id);
      - a cluster whose contacts carried several ids (two clusters truly merged) keeps the oldest
        (customer_first_seen_at, then the smaller id); the others are retired and identity_merge_log
        records the merge;
      - a previous customer now split over several clusters stays with the cluster holding most of its
        contacts (ties: the smaller cluster label); the other parts get new ids (logged as splits);
      - a cluster with no previous id gets 'cus_' + the first 16 hex digits of md5(the warehouse's secret key
        | its smallest contact id) (macros/identity/customer_id_key.sql): opaque, so no published id can be
        traced to a source key, and a warehouse rebuilt with the same key (C360_HOME) gives the same ids.
        Should that id have been used before (a retired id), the run's invocation id is mixed in.
      - with var c360_rekey_customer_ids (a one-off migration of ids minted before they were keyed), every
        previous id is replaced by its re-keyed form; identity_merge_log records each (event rekey).
    Contacts that vanish from the lake keep their last row here; the identity map lists staged contacts only.
-#}
{{
    config(
        materialized='incremental',
        unique_key='contact_id',
        incremental_strategy=('delete+insert' if target.type == 'duckdb' else 'merge'),
        full_refresh=false,
    )
}}
{%- set run_started = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)" %}

with

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

previous_assignments as (
    {% if is_incremental() %}
        select
            contact_id,
            customer_id,
            customer_first_seen_at,
            original_customer_id,
            contact_first_seen_at
        from {{ this }}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as contact_id,
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as {{ dbt.type_timestamp() }}) as customer_first_seen_at,
            cast(null as {{ dbt.type_string() }}) as original_customer_id,
            cast(null as {{ dbt.type_timestamp() }}) as contact_first_seen_at
        where 1 = 0
    {% endif %}
),

with_previous as (
    select
        clusters.contact_id,
        clusters.cluster_label,
        previous_assignments.customer_id as logged_customer_id,
        {{ rekeyed_customer_id('previous_assignments.customer_id') if var('c360_rekey_customer_ids', false)
            else 'previous_assignments.customer_id' }} as previous_customer_id,
        previous_assignments.customer_first_seen_at as previous_customer_first_seen_at,
        {{ rekeyed_customer_id('previous_assignments.original_customer_id') if var('c360_rekey_customer_ids', false)
            else 'previous_assignments.original_customer_id' }} as original_customer_id,
        previous_assignments.contact_first_seen_at
    from clusters
    left join previous_assignments
        on clusters.contact_id = previous_assignments.contact_id
),

-- Which previous ids each cluster holds, and how many of its contacts carry each.
claims as (
    select
        cluster_label,
        previous_customer_id as claimed_customer_id,
        min(previous_customer_first_seen_at) as claimed_first_seen_at,
        count(*) as claiming_contacts
    from with_previous
    where previous_customer_id is not null
    group by cluster_label, previous_customer_id
),

-- A previous id goes to one cluster only: the one holding most of its contacts.
owned_claims as (
    select
        *,
        row_number() over (
            partition by claimed_customer_id order by claiming_contacts desc, cluster_label asc
        ) as owner_rank
    from claims
),

-- A cluster owning several previous ids keeps the oldest.
kept_ids as (
    select
        cluster_label,
        claimed_customer_id,
        claimed_first_seen_at,
        row_number() over (
            partition by cluster_label order by claimed_first_seen_at, claimed_customer_id
        ) as age_rank
    from owned_claims
    where owner_rank = 1
),

ids_used_before as (
    select customer_id from previous_assignments
    union
    select original_customer_id as customer_id from previous_assignments
),

new_clusters as (
    select distinct clusters.cluster_label
    from clusters
    left join kept_ids
        on clusters.cluster_label = kept_ids.cluster_label and kept_ids.age_rank = 1
    where kept_ids.cluster_label is null
),

minted as (
    select
        cluster_label,
        {{ keyed_customer_id('cluster_label') }} as minted_customer_id
    from new_clusters
),

minted_unique as (
    select
        minted.cluster_label,
        case
            when ids_used_before.customer_id is null then minted.minted_customer_id
            else {{ keyed_customer_id(dbt.concat(['minted.cluster_label', "'|" ~ invocation_id ~ "'"])) }}
        end as customer_id
    from minted
    left join ids_used_before
        on minted.minted_customer_id = ids_used_before.customer_id
),

cluster_ids as (
    select
        cluster_label,
        claimed_customer_id as customer_id,
        claimed_first_seen_at as customer_first_seen_at
    from kept_ids
    where age_rank = 1

    union all

    select
        cluster_label,
        customer_id,
        {{ run_started }} as customer_first_seen_at
    from minted_unique
),

final as (
    select
        with_previous.contact_id,
        with_previous.cluster_label,
        cluster_ids.customer_id,
        cluster_ids.customer_first_seen_at,
        with_previous.logged_customer_id as previous_customer_id,
        coalesce(with_previous.original_customer_id, cluster_ids.customer_id) as original_customer_id,
        coalesce(with_previous.contact_first_seen_at, {{ run_started }}) as contact_first_seen_at,
        {{ run_started }} as assigned_at,
        '{{ invocation_id }}' as invocation_id
    from with_previous
    inner join cluster_ids
        on with_previous.cluster_label = cluster_ids.cluster_label
)

select * from final
