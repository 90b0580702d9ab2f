{#-
    c360_campaign_attribution_window_days()
        The attribution window of campaign conversions, in whole days, as an integer: dbt var
        c360_campaign_attribution_window_days, default 30. The window of an audience member starts on the UTC
        date the member was assigned to the campaign (the same for treated and holdout members) and covers
        that day and the next N - 1 days. 30 is the generator's own definition of a conversion (a completed
        purchase containing the target category within the 30 days starting on the assignment day,
        seeds_data/README.md), so the measured uplift is comparable with truth/campaign_uplift.csv. Must be
        a positive whole number; a compiler error names the var otherwise (checked only when dbt executes
        SQL, so `dbt parse` and the linter work with any value).

    c360_campaign_z_95()
        The two-sided 95 % standard normal quantile (1.959963984540054), used by the confidence intervals.
-#}

{% macro c360_campaign_attribution_window_days() -%}
    {%- set configured = var('c360_campaign_attribution_window_days', 30) -%}
    {%- set text = configured | string | trim -%}
    {%- if execute and not (modules.re.match('^[0-9]+$', text) and (text | int) > 0) -%}
        {{ exceptions.raise_compiler_error(
            "dbt var c360_campaign_attribution_window_days must be a positive whole number of days (e.g. 30), "
            ~ "but it is '" ~ text ~ "'. Fix it in dbt_project.yml or --vars, or remove it to use 30 days."
        ) }}
    {%- endif -%}
    {{ return((text | int) if (text | int) > 0 else 30) }}
{%- endmacro %}

{% macro c360_campaign_z_95() -%}
    {{ return(1.959963984540054) }}
{%- endmacro %}
