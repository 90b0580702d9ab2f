{#-
    Name and street normalization for identity resolution (portable SQL; the dialect differences live in
    regexp_replace_all and strip_accents, see regex.sql).

    normalize_name(expression)
        lower case; ß -> ss, æ -> ae, œ -> oe, ø -> o, ł -> l, đ -> d; accents stripped; apostrophes dropped
        (O'Brien -> obrien); any other character that is not a letter, digit or hyphen -> space; hyphens
        kept only between two words; whitespace collapsed and trimmed; empty -> NULL.
            'José-María  Núñez'  -> 'jose-maria nunez'
            ' MÜLLER, Hans '     -> 'muller hans'
            'Groß - Schmidt'     -> 'gross schmidt'
            '  .  '              -> NULL
        Transliterated spellings stay apart ('Mueller' -> 'mueller', 'Müller' -> 'muller'): the compare
        step's fuzzy scores absorb that difference.

    normalize_street(expression)
        normalize_name plus one canonical form per street-type abbreviation, house number kept:
            glued German / Dutch suffix: -str., -str, -straße, -strasse, -straat -> -strasse
                'Hauptstr. 5' -> 'hauptstrasse 5', 'Kerkstraat 12' -> 'kerkstrasse 12'
            whole words: str -> strasse, st -> street, rd -> road, ave / av -> avenue, ln -> lane,
                dr -> drive, cl -> close, blvd / bd -> boulevard, sq -> square, ct -> court, r -> rue,
                pl -> place, all -> allee
                '12 High St' -> '12 high street', '3 av. Foch' -> '3 avenue foch'
        Limits: Swedish glued abbreviations (-g., -v.) and glued -pl. / -ln. are not expanded (a bare
        one-letter suffix is not safe to rewrite); `St` is always Street, never Saint.

    name_match_key(normalized_expression)
        A comparison key built from an already normalized name (or any lower-case ASCII text such as an
        e-mail local part): German umlaut transliterations folded (ae -> a, oe -> o, ue -> u, so 'mueller',
        'müller' and 'muller' all give 'muller'), then everything that is not a letter a-z removed; empty
        -> NULL. Used only to compare and block, never shown: it also folds 'michael' to 'michal', the
        same on both sides of a pair.
            'mueller'         -> 'muller'
            'van den heuvel'  -> 'vandenheuvel'
            'frank.mueller84' -> 'frankmuller'
-#}

{% macro normalize_name(expression) -%}
    {%- set lowered = "replace(replace(replace(lower(" ~ expression ~ "), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe')" -%}
    {%- set lowered = "translate(" ~ lowered ~ ", 'øłđ', 'old')" -%}
    {#- chr(39) is the apostrophe: a doubled quote inside a literal is not an escape in Spark SQL -#}
    {%- set plain = regexp_replace_all("replace(" ~ strip_accents(lowered) ~ ", chr(39), '')", '[’`]', '') -%}
    {%- set spaced = regexp_replace_all(plain, '[^a-z0-9-]+', ' ') -%}
    {#- pad with spaces so that a hyphen at either end of a word is next to a space -#}
    {%- set hyphens_inner = regexp_replace_all(
        regexp_replace_all(dbt.concat(["' '", spaced, "' '"]), ' -+|-+ ', ' '),
        '-+', '-'
    ) -%}
    nullif(trim({{ regexp_replace_all(hyphens_inner, ' +', ' ') }}), '')
{%- endmacro %}


{% macro _street_abbreviations() -%}
    {#- (pattern, replacement) applied in order to the space-padded normalized name -#}
    {{ return([
        ('straat ', 'strasse '),
        ('str ', 'strasse '),
        (' st ', ' street '),
        (' rd ', ' road '),
        (' ave ', ' avenue '),
        (' av ', ' avenue '),
        (' ln ', ' lane '),
        (' dr ', ' drive '),
        (' cl ', ' close '),
        (' blvd ', ' boulevard '),
        (' bd ', ' boulevard '),
        (' sq ', ' square '),
        (' ct ', ' court '),
        (' r ', ' rue '),
        (' pl ', ' place '),
        (' all ', ' allee '),
    ]) }}
{%- endmacro %}


{% macro normalize_street(expression) -%}
    {%- set street = namespace(sql=dbt.concat(["' '", normalize_name(expression), "' '"])) -%}
    {%- for pattern, replacement in _street_abbreviations() -%}
        {%- set street.sql = "replace(" ~ street.sql ~ ", '" ~ pattern ~ "', '" ~ replacement ~ "')" -%}
    {%- endfor -%}
    nullif(trim({{ street.sql }}), '')
{%- endmacro %}


{% macro name_match_key(normalized_expression) -%}
    {%- set folded = "replace(replace(replace(" ~ normalized_expression ~ ", 'ae', 'a'), 'oe', 'o'), 'ue', 'u')" -%}
    nullif({{ regexp_replace_all(folded, '[^a-z]+', '') }}, '')
{%- endmacro %}

{#-
    The e-mail local parts a person's name keys usually give: first + last, last + first, initial + last
    ('frankmuller', 'mullerfrank', 'fmuller'). A list of SQL expressions; blocking and scoring both use it.
-#}
{% macro email_name_spellings(first_name_key, last_name_key) -%}
    {{ return([
        dbt.concat([first_name_key, last_name_key]),
        dbt.concat([last_name_key, first_name_key]),
        dbt.concat(['substring(' ~ first_name_key ~ ', 1, 1)', last_name_key]),
    ]) }}
{%- endmacro %}

{#-
    The gamer tags a person's name keys usually give, without their digits: first name + the first three
    letters of the last name ('frank_mue84' -> 'frankmu' once folded, so also the first two).
-#}
{% macro nick_name_spellings(first_name_key, last_name_key) -%}
    {{ return([
        dbt.concat([first_name_key, 'substring(' ~ last_name_key ~ ', 1, 3)']),
        dbt.concat([first_name_key, 'substring(' ~ last_name_key ~ ', 1, 2)']),
    ]) }}
{%- endmacro %}
