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
