{#-
    Confidence intervals for proportions, as portable SQL expressions (arithmetic and sqrt only, so they run
    on DuckDB and Spark alike). Arguments are SQL expressions: a proportion p (double), its number of trials
    n, and z, the normal quantile (c360_campaign_z_95() for 95 %). Every bound is NULL when a group is empty.

    c360_wilson_bound(p, n, bound, z)
        The lower or upper bound (bound = 'lower' / 'upper') of the Wilson score interval of one proportion:
        (p + z^2 / 2n -/+ z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n).
        E. B. Wilson (1927), "Probable inference, the law of succession, and statistical inference",
        Journal of the American Statistical Association 22(158): 209-212.

    c360_newcombe_difference_bound(p1, n1, p2, n2, bound, z)
        The lower or upper bound of the confidence interval of the difference p1 - p2 of two independent
        proportions by Newcombe's hybrid score method (method 10), built from the two Wilson intervals
        (l1, u1) and (l2, u2):
            lower = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2)
            upper = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2)
        R. G. Newcombe (1998), "Interval estimation for the difference between independent proportions:
        comparison of eleven methods", Statistics in Medicine 17(8): 873-890. Unlike the Wald interval it
        keeps its coverage with small groups and rates near 0 or 1 (e.g. a holdout without conversions).

    c360_log_ratio_bound(p1, x1, p2, x2, bound, z)
        The lower or upper bound of the confidence interval of the ratio p1 / p2 of two independent
        proportions (a risk ratio) by the log method, from the proportions p1, p2 and their counts of
        successes x1, x2 (p = x / n):
            exp(ln(p1 / p2) -/+ z sqrt((1 - p1) / x1 + (1 - p2) / x2))
        D. Katz, J. Baptista, S. P. Azen and M. C. Pike (1978), "Obtaining confidence intervals for the risk
        ratio in cohort studies", Biometrics 34(3): 469-474. NULL when x1 or x2 is 0 (the ratio is 0 or
        undefined and its logarithm has no standard error). Subtract 1 from both bounds for the interval of
        the relative uplift p1 / p2 - 1.
-#}

{% macro c360_wilson_bound(p, n, bound, z) -%}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error(
            "c360_wilson_bound: bound must be 'lower' or 'upper', not '" ~ bound ~ "'"
        ) }}
    {%- endif -%}
    (
        ({{ p }}) + ({{ z }}) * ({{ z }}) / (2.0 * nullif({{ n }}, 0))
        {{ '-' if bound == 'lower' else '+' }} ({{ z }}) * sqrt(
            ({{ p }}) * (1.0 - ({{ p }})) / nullif({{ n }}, 0)
            + ({{ z }}) * ({{ z }}) / (4.0 * nullif({{ n }}, 0) * nullif({{ n }}, 0))
        )
    ) / (1.0 + ({{ z }}) * ({{ z }}) / nullif({{ n }}, 0))
{%- endmacro %}

{% macro c360_newcombe_difference_bound(p1, n1, p2, n2, bound, z) -%}
    {%- if bound == 'lower' -%}
        (({{ p1 }}) - ({{ p2 }})) - sqrt(
            (({{ p1 }}) - {{ c360_wilson_bound(p1, n1, 'lower', z) }})
            * (({{ p1 }}) - {{ c360_wilson_bound(p1, n1, 'lower', z) }})
            + ({{ c360_wilson_bound(p2, n2, 'upper', z) }} - ({{ p2 }}))
            * ({{ c360_wilson_bound(p2, n2, 'upper', z) }} - ({{ p2 }}))
        )
    {%- elif bound == 'upper' -%}
        (({{ p1 }}) - ({{ p2 }})) + sqrt(
            ({{ c360_wilson_bound(p1, n1, 'upper', z) }} - ({{ p1 }}))
            * ({{ c360_wilson_bound(p1, n1, 'upper', z) }} - ({{ p1 }}))
            + (({{ p2 }}) - {{ c360_wilson_bound(p2, n2, 'lower', z) }})
            * (({{ p2 }}) - {{ c360_wilson_bound(p2, n2, 'lower', z) }})
        )
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "c360_newcombe_difference_bound: bound must be 'lower' or 'upper', not '" ~ bound ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro c360_log_ratio_bound(p1, x1, p2, x2, bound, z) -%}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error(
            "c360_log_ratio_bound: bound must be 'lower' or 'upper', not '" ~ bound ~ "'"
        ) }}
    {%- endif -%}
    exp(
        ln(nullif({{ p1 }}, 0) / nullif({{ p2 }}, 0))
        {{ '-' if bound == 'lower' else '+' }} ({{ z }}) * sqrt(
            (1.0 - ({{ p1 }})) / nullif({{ x1 }}, 0) + (1.0 - ({{ p2 }})) / nullif({{ x2 }}, 0)
        )
    )
{%- endmacro %}
