{#-
    The Fellegi-Sunter comparisons of identity resolution: what is compared for a pair of contacts, in which
    graded levels, and the SQL that assigns a pair its level. Read by int_identity_pair_comparisons (the
    blocked pairs), int_identity_u_probabilities (random pairs) and int_identity_fs_parameters (the
    expectation-maximisation that learns each level's m probability).

    identity_comparisons()
        One entry per compared attribute: name, the levels from strongest to weakest (level number, label,
        SQL condition over the pair's `<attribute>_a` / `<attribute>_b` columns), `missing` (the condition
        under which the pair has no level: the attribute is unknown on a side, so it is no evidence either
        way), `else_level` (the level of a comparable pair that meets no condition; none for phones, where
        a fixed line beside another person's mobile says nothing) and `term_frequency` (the column whose
        value frequencies adjust the exact level: agreeing on a rare surname is stronger evidence than
        agreeing on a common one).

    identity_comparison_levels()
        `gamma_<name>` for every comparison: the level of the pair, NULL where missing.

    identity_pair_attributes(contacts_a, contacts_b)
        The select list of a pair's attributes, `<attribute>_a` and `<attribute>_b`, from two aliases of
        int_contacts_normalized.
-#}

{% macro identity_comparisons() -%}
    {%- set close = var('c360_identity_fs')['similar_name'] -%}
    {%- set near = var('c360_identity_fs')['near_name'] -%}
    {%- set comparisons = [] -%}
    {%- set jw_first = jaro_winkler_similarity('first_name_a', 'first_name_b') -%}
    {%- set jw_last = jaro_winkler_similarity('last_name_a', 'last_name_b') -%}
    {%- set initial = '((' ~ dbt.length('first_name_a') ~ ' = 1 or ' ~ dbt.length('first_name_b') ~ ' = 1)'
        ~ ' and substring(first_name_a, 1, 1) = substring(first_name_b, 1, 1))' -%}
    {#- First and last name as one comparison: within a household, the last name agrees for everyone and the
        first name tells people apart, so the two are far from independent. -#}
    {%- do comparisons.append({
        'name': 'name',
        'missing': 'first_name_a is null or first_name_b is null or last_name_a is null or last_name_b is null',
        'term_frequency': 'full_name',
        'levels': [
            {'level': 6, 'label': 'first and last name exact',
             'when': 'first_name_a = first_name_b and last_name_a = last_name_b'},
            {'level': 5, 'label': 'first and last name swapped',
             'when': 'first_name_a = last_name_b and last_name_a = first_name_b'},
            {'level': 4, 'label': 'both Jaro-Winkler >= ' ~ close,
             'when': jw_first ~ ' >= ' ~ close ~ ' and ' ~ jw_last ~ ' >= ' ~ close},
            {'level': 3, 'label': 'last name Jaro-Winkler >= ' ~ close ~ ', first name >= ' ~ near ~ ' or initial',
             'when': jw_last ~ ' >= ' ~ close ~ ' and (' ~ jw_first ~ ' >= ' ~ near ~ ' or ' ~ initial ~ ')'},
            {'level': 2, 'label': 'first name Jaro-Winkler >= ' ~ close ~ ', last name >= ' ~ near,
             'when': jw_first ~ ' >= ' ~ close ~ ' and ' ~ jw_last ~ ' >= ' ~ near},
            {'level': 1, 'label': 'last name Jaro-Winkler >= ' ~ close ~ ' only', 'when': jw_last ~ ' >= ' ~ close},
        ],
        'else_level': 0,
    }) -%}
    {%- set date_a = dbt.cast('birth_date_a', dbt.type_string()) -%}
    {%- set date_b = dbt.cast('birth_date_b', dbt.type_string()) -%}
    {%- do comparisons.append({
        'name': 'birth_date',
        'missing': 'birth_year_a is null or birth_year_b is null',
        'term_frequency': 'birth_date',
        'levels': [
            {'level': 4, 'label': 'exact', 'when': 'birth_date_a = birth_date_b'},
            {'level': 3, 'label': 'day and month swapped', 'when': 'birth_date_swapped_a = birth_date_b'},
            {'level': 2, 'label': 'one or two digits differ',
             'when': 'levenshtein(' ~ date_a ~ ', ' ~ date_b ~ ') <= 2'},
            {'level': 1, 'label': 'same year', 'when': 'birth_year_a = birth_year_b'},
        ],
        'else_level': 0,
    }) -%}
    {%- do comparisons.append({
        'name': 'email',
        'missing': 'email_a is null or email_b is null',
        'levels': [
            {'level': 3, 'label': 'exact as written', 'when': 'email_as_written_a = email_as_written_b'},
            {'level': 2, 'label': 'exact once normalized', 'when': 'email_a = email_b'},
            {'level': 1, 'label': 'local part (6+ characters) agrees',
             'when': 'email_local_key_a = email_local_key_b and ' ~ dbt.length('email_local_key_a') ~ ' >= 6'},
        ],
        'else_level': 0,
    }) -%}
    {%- set numbers = [('phone', 'phone'), ('phone', 'mobile'), ('mobile', 'phone'), ('mobile', 'mobile')] -%}
    {%- set agree = [] -%}
    {%- set agree_mobile = [] -%}
    {%- set same_kind = [] -%}
    {%- for left, right in numbers -%}
        {%- do agree.append(left ~ '_a = ' ~ right ~ '_b') -%}
        {%- do agree_mobile.append('(' ~ left ~ '_a = ' ~ right ~ '_b and \'mobile\' in ('
            ~ left ~ '_line_type_a, ' ~ right ~ '_line_type_b))') -%}
        {%- do same_kind.append('(' ~ left ~ '_a is not null and ' ~ right ~ '_b is not null and coalesce('
            ~ left ~ '_line_type_a = ' ~ right ~ '_line_type_b, true))') -%}
    {%- endfor -%}
    {%- do comparisons.append({
        'name': 'phone',
        'missing': '(phone_a is null and mobile_a is null) or (phone_b is null and mobile_b is null)',
        'levels': [
            {'level': 2, 'label': 'a mobile number agrees', 'when': agree_mobile | join(' or ')},
            {'level': 1, 'label': 'a fixed line agrees', 'when': agree | join(' or ')},
            {'level': 0, 'label': 'numbers of one kind differ', 'when': same_kind | join(' or ')},
        ],
        'else_level': none,
    }) -%}
    {%- set jw_street = jaro_winkler_similarity('street_a', 'street_b') -%}
    {%- set postcode_near = 'levenshtein(postal_code_a, postal_code_b) <= 1' -%}
    {#- Street and postcode as one comparison, for the same reason as the names. -#}
    {%- do comparisons.append({
        'name': 'address',
        'missing': 'postal_code_a is null or postal_code_b is null',
        'levels': [
            {'level': 4, 'label': 'street and postcode exact',
             'when': 'street_a = street_b and postal_code_a = postal_code_b'},
            {'level': 3, 'label': 'street Jaro-Winkler >= ' ~ close ~ ', postcode at most one character apart',
             'when': jw_street ~ ' >= ' ~ close ~ ' and ' ~ postcode_near},
            {'level': 2, 'label': 'postcode exact, street unknown or different',
             'when': 'postal_code_a = postal_code_b'},
            {'level': 1, 'label': 'postcode one character apart', 'when': postcode_near},
        ],
        'else_level': 0,
    }) -%}
    {%- do comparisons.append({
        'name': 'city',
        'missing': 'city_a is null or city_b is null',
        'levels': [
            {'level': 2, 'label': 'exact', 'when': 'city_a = city_b'},
            {'level': 1, 'label': 'Jaro-Winkler >= ' ~ close,
             'when': jaro_winkler_similarity('city_a', 'city_b') ~ ' >= ' ~ close},
        ],
        'else_level': 0,
    }) -%}
    {%- do comparisons.append({
        'name': 'country',
        'missing': 'country_a is null or country_b is null',
        'levels': [{'level': 1, 'label': 'exact', 'when': 'country_a = country_b'}],
        'else_level': 0,
    }) -%}
    {%- do comparisons.append({
        'name': 'government_id',
        'missing': 'government_id_a is null or government_id_b is null',
        'levels': [
            {'level': 2, 'label': 'exact', 'when': 'government_id_a = government_id_b'},
            {'level': 1, 'label': 'one character differs',
             'when': 'levenshtein(government_id_a, government_id_b) <= 1'},
        ],
        'else_level': 0,
    }) -%}
    {{ return(comparisons) }}
{%- endmacro %}


{% macro identity_comparison_levels() -%}
    {%- set columns = [] -%}
    {%- for comparison in identity_comparisons() -%}
        {%- set branches = ['when ' ~ comparison.missing ~ ' then null'] -%}
        {%- for level in comparison.levels -%}
            {%- do branches.append('when ' ~ level.when ~ ' then ' ~ level.level) -%}
        {%- endfor -%}
        {%- if comparison.else_level is not none -%}
            {%- do branches.append('else ' ~ comparison.else_level) -%}
        {%- endif -%}
        {%- do columns.append('case ' ~ branches | join(' ') ~ ' end as gamma_' ~ comparison.name) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n')) }}
{%- endmacro %}


{#- The level numbers of a comparison, its `else_level` included. -#}
{% macro identity_comparison_level_numbers(comparison) -%}
    {%- set numbers = [] -%}
    {%- for level in comparison.levels -%}
        {%- do numbers.append(level.level) -%}
    {%- endfor -%}
    {%- if comparison.else_level is not none and comparison.else_level not in numbers -%}
        {%- do numbers.append(comparison.else_level) -%}
    {%- endif -%}
    {{ return(numbers) }}
{%- endmacro %}


{#- The label of a level, 'different' for the else level. -#}
{% macro identity_comparison_level_label(comparison, number) -%}
    {%- for level in comparison.levels -%}
        {%- if level.level == number -%}{{ return(level.label) }}{%- endif -%}
    {%- endfor -%}
    {{ return('different') }}
{%- endmacro %}


{% macro identity_pair_attributes(contacts_a, contacts_b) -%}
    {%- set attributes = {
        'first_name': 'first_name_key',
        'last_name': 'last_name_key',
        'nick_name_key': 'nick_name_key',
        'email': 'email_normalized',
        'email_as_written': 'email_as_written',
        'email_local_key': 'email_local_key',
        'phone': 'phone_suffix',
        'mobile': 'mobile_suffix',
        'phone_line_type': 'phone_line_type',
        'mobile_line_type': 'mobile_line_type',
        'street': 'street_normalized',
        'postal_code': 'postal_code_normalized',
        'city': 'city_normalized',
        'country': 'address_1_country',
        'birth_date': 'birth_date',
        'birth_date_swapped': 'birth_date_swapped',
        'birth_year': 'known_birth_year',
        'government_id': 'government_id_normalized',
    } -%}
    {%- for attribute, column in attributes.items() %}
        {{ contacts_a }}.{{ column }} as {{ attribute }}_a,
        {{ contacts_b }}.{{ column }} as {{ attribute }}_b{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
