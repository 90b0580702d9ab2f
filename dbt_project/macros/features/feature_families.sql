{#-
    c360_purchase_channels()
        The channels of the per-channel purchase features, as a list: erp, web_shop, pos, game, and 'other'
        last (the channels of mapped order sources that are none of these, e.g. a marketplace).

    c360_feature_windows_days()
        The windows of the "last N days" features, in days: [30, 90].

    Both are shared by the feature families (models/intermediate/features) and customer_features_history,
    which names their columns; call them at the top of a model.
-#}

{% macro c360_purchase_channels() -%}
    {{ return(['erp', 'web_shop', 'pos', 'game', 'other']) }}
{%- endmacro %}

{% macro c360_feature_windows_days() -%}
    {{ return([30, 90]) }}
{%- endmacro %}
