{#-
    E-mail, phone and postcode normalization for identity resolution. Portable SQL built from dbt's
    cross-database macros and regexp_replace_all (regex.sql).

    normalize_email(expression)
        trimmed, lower case; a '+tag' in the local part dropped (all providers); for gmail.com and
        googlemail.com the dots of the local part removed and the domain written gmail.com. NULL unless
        the value looks like an address (like '%_@_%._%', one '@', no space) and the local part is not empty.
            ' Jane.Doe+news@GoogleMail.com ' -> 'janedoe@gmail.com'
            'jane.doe+shop@example.com'      -> 'jane.doe@example.com'
            'not an email', '+x@example.com' -> NULL

    normalize_phone_e164(expression, country_expression, default_country=var('c360_default_phone_country', 'DE'))
        E.164 '+<digits>' from a free-format phone. '(0)' dropped, digits only, then by the value's prefix:
            '+...'          kept as written        '+49 30 1234567'     -> '+49301234567'
            '00...'         international prefix   '0049301234567'      -> '+49301234567'
            '0...'          trunk 0 -> calling code of country_expression (or default_country when that is
                            NULL or unknown)       '030/1234567', DE    -> '+49301234567'
                                                   '07700 900123', GB   -> '+447700900123'
            NANP (country code 1): 10 digits -> +1, 11 digits starting with 1 -> +
                                                   '(415) 555-0100', US -> '+14155550100'
        anything else (a national number without trunk prefix outside the NANP), or fewer than 7 digits
        after the '+', gives NULL.

    phone_line_type(e164_expression)
        'mobile' or 'fixed' from an E.164 number's numbering plan, for the calling codes whose mobile ranges
        are known (below); NULL for the rest, and for NANP (+1), whose mobiles use the area codes.
            '+4917012345678' -> 'mobile', '+49301234567' -> 'fixed', '+447700900123' -> 'mobile',
            '+14155550100' -> NULL

    normalize_postcode(expression)
        upper case, spaces and hyphens removed, empty -> NULL: 'sw1a 1aa' -> 'SW1A1AA', '1234-ab' -> '1234AB'.
-#}

{% macro normalize_email(expression) -%}
    {%- set email = "lower(trim(" ~ expression ~ "))" -%}
    {%- set local_part = dbt.split_part(dbt.split_part(email, "'@'", 1), "'+'", 1) -%}
    {%- set domain = dbt.split_part(email, "'@'", 2) -%}
    case
        when {{ email }} like '%_@_%._%'
            and {{ email }} not like '%@%@%'
            and {{ email }} not like '% %'
            and {{ local_part }} <> ''
            then {{ dbt.concat([
                "case when " ~ domain ~ " in ('gmail.com', 'googlemail.com') then replace("
                    ~ local_part ~ ", '.', '') else " ~ local_part ~ " end",
                "'@'",
                "case when " ~ domain ~ " = 'googlemail.com' then 'gmail.com' else " ~ domain ~ " end",
            ]) }}
    end
{%- endmacro %}


{% macro _phone_calling_codes() -%}
    {#- ISO 3166 alpha-2 -> ITU calling code: the lake's countries and their neighbours -#}
    {{ return({
        'DE': '49', 'GB': '44', 'SE': '46', 'FR': '33', 'NL': '31', 'US': '1', 'CA': '1',
        'CH': '41', 'AT': '43', 'BE': '32', 'LU': '352', 'DK': '45', 'NO': '47', 'FI': '358',
        'IE': '353', 'ES': '34', 'IT': '39', 'PT': '351', 'PL': '48', 'CZ': '420',
    }) }}
{%- endmacro %}


{% macro normalize_phone_e164(expression, country_expression, default_country=none) -%}
    {%- set codes = _phone_calling_codes() -%}
    {%- set default_country = (default_country or var('c360_default_phone_country', 'DE')) | upper -%}
    {%- if default_country not in codes -%}
        {{ exceptions.raise_compiler_error(
            "normalize_phone_e164: default country '" ~ default_country ~ "' has no calling code; "
            ~ "set var c360_default_phone_country to one of " ~ (codes.keys() | list | join(', '))) }}
    {%- endif -%}
    {#- '+49 (0)30 ...': the trunk 0 in brackets is not dialled from abroad -#}
    {%- set digits = regexp_replace_all("replace(" ~ expression ~ ", '(0)', '')", '[^0-9]', '') -%}
    {%- set whens = namespace(sql='') -%}
    {%- for country, code in codes.items() -%}
        {%- set whens.sql = whens.sql ~ " when '" ~ country ~ "' then '" ~ code ~ "'" -%}
    {%- endfor -%}
    {%- set calling_code = "coalesce(case upper(trim(" ~ country_expression ~ "))" ~ whens.sql
        ~ " end, '" ~ codes[default_country] ~ "')" -%}
    {%- set international -%}
        case
            when trim({{ expression }}) like '+%' then {{ digits }}
            when {{ digits }} like '00%' then {{ dbt.right(digits, dbt.length(digits) ~ ' - 2') }}
            when {{ digits }} like '0%' then {{ dbt.concat([calling_code, dbt.right(digits, dbt.length(digits) ~ ' - 1')]) }}
            when {{ calling_code }} = '1' and {{ dbt.length(digits) }} = 10 then {{ dbt.concat(["'1'", digits]) }}
            when {{ calling_code }} = '1' and {{ dbt.length(digits) }} = 11 and {{ digits }} like '1%' then {{ digits }}
        end
    {%- endset -%}
    case when {{ dbt.length(international) }} >= 7 then {{ dbt.concat(["'+'", international]) }} end
{%- endmacro %}


{% macro _phone_mobile_prefixes() -%}
    {#- ITU calling code -> the national prefixes of its mobile ranges (after the calling code), from the
        national numbering plans each country notifies to the ITU (ITU-T E.164 assignments) -#}
    {{ return({
        '49': ['15', '16', '17'], '44': ['7'], '46': ['7'], '33': ['6', '7'], '31': ['6'],
        '41': ['75', '76', '77', '78', '79'], '43': ['6'], '32': ['4'], '34': ['6', '7'], '39': ['3'],
    }) }}
{%- endmacro %}


{% macro phone_line_type(e164_expression) -%}
    {#- the mobile prefixes as '+<code><prefix>', grouped by length, so each test is one IN list -#}
    {%- set mobile_by_length = {} -%}
    {%- set code_by_length = {} -%}
    {%- for code, prefixes in _phone_mobile_prefixes().items() -%}
        {%- do code_by_length.setdefault(code | length + 1, []).append("'+" ~ code ~ "'") -%}
        {%- for prefix in prefixes -%}
            {%- set full = '+' ~ code ~ prefix -%}
            {%- do mobile_by_length.setdefault(full | length, []).append("'" ~ full ~ "'") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set tests = {'mobile': [], 'fixed': []} -%}
    {%- for line_type, by_length in [('mobile', mobile_by_length), ('fixed', code_by_length)] -%}
        {%- for length, prefixes in by_length | dictsort -%}
            {%- do tests[line_type].append(
                'substring(' ~ e164_expression ~ ', 1, ' ~ length ~ ') in (' ~ prefixes | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    case
        when {{ tests['mobile'] | join(' or ') }} then 'mobile'
        when {{ tests['fixed'] | join(' or ') }} then 'fixed'
    end
{%- endmacro %}


{% macro normalize_postcode(expression) -%}
    nullif(replace(replace(upper(trim({{ expression }})), ' ', ''), '-', ''), '')
{%- endmacro %}
