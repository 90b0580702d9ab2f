{#-
    c360_churn_horizon_days(), c360_clv_horizon_days()
        The label horizons of the churn and lifetime value models, in days, as integers: env vars
        C360_CHURN_HORIZON_DAYS (default 90: churned = no purchase in the next 90 days) and
        C360_CLV_HORIZON_DAYS (default 180: value = EUR spent in the next 180 days). Models train on the
        features as of c360_as_of() - horizon and label on the horizon that follows, which ends on c360_as_of().
        Each must be a positive whole number of days written in digits (e.g. 90); a compiler error names the
        variable otherwise. Checked only when dbt executes SQL, so `dbt parse` and the linter work with any
        value.

    c360_horizon_days(variable, default_days)
        The shared reader: the env var as a positive integer, default_days when it is unset or empty.
-#}

{% macro c360_churn_horizon_days() -%}
    {{ return(c360_horizon_days('C360_CHURN_HORIZON_DAYS', 90)) }}
{%- endmacro %}

{% macro c360_clv_horizon_days() -%}
    {{ return(c360_horizon_days('C360_CLV_HORIZON_DAYS', 180)) }}
{%- endmacro %}

{% macro c360_horizon_days(variable, default_days) -%}
    {%- set configured = env_var(variable, '') | trim -%}
    {%- if configured == '' -%}
        {{ return(default_days) }}
    {%- endif -%}
    {%- if execute and not (modules.re.match('^[0-9]+$', configured) and (configured | int) > 0) -%}
        {{ exceptions.raise_compiler_error(
            variable ~ " must be a positive whole number of days (e.g. " ~ default_days ~ "), but it is '"
            ~ configured ~ "'. Fix it, or unset it to use the default of " ~ default_days ~ " days."
        ) }}
    {%- endif -%}
    {{ return((configured | int) if (configured | int) > 0 else default_days) }}
{%- endmacro %}

{#-
    c360_training_offsets_days(horizons_days)
        The training dates of the models, as days before the scoring date c360_as_of(): a sorted list of
        distinct positive integers. horizons_days lists the label horizons of the models, i.e.
        [c360_churn_horizon_days(), c360_clv_horizon_days()] (passed in: a macro that returns a value is
        called at the top of a model, which keeps sqlfluff's templater happy). From the shorter horizon back every var c360_training_date_spacing_days (default 30) days,
        var c360_training_date_count (default 6) dates in all, plus 365 (the scoring date one year earlier, the
        same season) when var c360_training_last_year (default true) holds and 365 reaches past the horizon.
        Defaults: [90, 120, 150, 180, 210, 240, 365]. A date trains the churn model when it lies at least the
        churn horizon back and the CLV model when it lies at least the CLV horizon back, so every label window
        ends by the scoring date. A count or spacing that is not a positive whole number is a compiler error.
-#}

{% macro c360_training_offsets_days(horizons_days) -%}
    {%- set count = var('c360_training_date_count', 6) -%}
    {%- set spacing = var('c360_training_date_spacing_days', 30) -%}
    {%- for name, value in [('c360_training_date_count', count), ('c360_training_date_spacing_days', spacing)] -%}
        {%- if execute and not (value is number and value == value | int and value > 0) -%}
            {{ exceptions.raise_compiler_error(
                "dbt var " ~ name ~ " must be a positive whole number, but it is '" ~ value
                ~ "'. Fix it in dbt_project/dbt_project.yml (vars:) or in --vars."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set shortest = horizons_days | min -%}
    {%- set offsets = [] -%}
    {%- for step in range(count | int) -%}
        {%- do offsets.append(shortest + step * (spacing | int)) -%}
    {%- endfor -%}
    {%- if var('c360_training_last_year', true) and 365 > shortest -%}
        {%- do offsets.append(365) -%}
    {%- endif -%}
    {{ return(offsets | unique | sort) }}
{%- endmacro %}
