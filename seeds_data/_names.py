"""Given-name and surname frequency tables per country (and sex), read as data from the faker package.

faker (pinned in pyproject.toml) ships person-name lists for each of the generator's countries. They are read
here as plain data; faker's own random generator is never called, so names are still drawn with the
generator's seeded numpy RNG and a seed reproduces the lake. faker's lists come in three kinds (the sources
are the ones faker's locale files cite), and each becomes a probability per name:

- weighted, with a frequency per name, used as they are (renormalized over the list): en_US given names (US
  Social Security Administration, the top 200 names of each decade of births from the 1960s to the 1990s,
  weighted by their counts) and surnames (US Census, the top 1000 by number of people); sv_SE given names
  (Institutet för språk och folkminnen, top 500, 2023) and surnames (Skatteverket, top 500, 2025); en_GB
  surnames (top 500 with their percentage of people; faker cites an Office for National Statistics table
  for its en_GB names).
- ranked, most common first but without frequencies: en_GB given names and fr_FR surnames. A name of rank r
  weighs 1 / (r + q) ** s (Zipf-Mandelbrot).
- unordered (alphabetical): de_DE given names (Wiktionary's lists of the most frequent male and female given
  names in Germany) and surnames (entries of the Digitales Familiennamenwörterbuch Deutschlands), fr_FR and
  nl_NL given names, nl_NL surnames. _vocab.COMMON_FIRST_NAMES / COMMON_LAST_NAMES hold the most common names
  of those countries in rank order; they take the weights of the first ranks, and faker's other names, whose
  order is unknown, each take the mean weight of the remaining ranks.

Dropped: names that do not transliterate to a plain e-mail local part ("Hans-J.", "Bourgondië, van") and, from
nl_NL's surnames, historical full names ("Heribert van Laon"): a Dutch surname is one capitalized word after
lower-case particles.

s and q are fitted (least squares of log share on log(rank + q), one intercept per list, top 500 ranks) to
the weighted lists above: the given-name lists (en_US, sv_SE, each sex) give s = 1.82, q = 44.6 (the share
falls slowly over the first few dozen ranks, then steeply), the surname lists (en_US, sv_SE, en_GB) s = 0.77,
q = 2.4. The most common name of a ranked list of 180 given names then holds 2.4% of its sex, of 400
surnames 3.3%.

Each list is normalized to sum to 1. A real population also has a long tail of names rarer than any listed
one (the top 1000 US surnames cover about 40% of people), so a listed name here is more common than in the
population it was counted in: Smith is 2.2% of the simulated US people, under 1% in the census.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping

import numpy as np

from ._vocab import COMMON_FIRST_NAMES, COMMON_LAST_NAMES, COUNTRIES, TRANSLIT

LOCALE = {"DE": "de_DE", "GB": "en_GB", "SE": "sv_SE", "FR": "fr_FR", "NL": "nl_NL", "US": "en_US"}
FIRST_NAME_RANK_WEIGHT = (1.8, 45.0)  # (s, q): a name of rank r weighs 1 / (r + q) ** s
LAST_NAME_RANK_WEIGHT = (0.77, 2.4)
# particles of Dutch surnames (de Jong, van der Meer, in 't Veld)
_NL_PARTICLES = {"de", "den", "der", "het", "in", "op", "te", "ten", "ter", "uit", "van", "'t"}


class NameTable:
    """Names and the probability of each, most probable first (ties keep the source's order)."""

    def __init__(self, names: Iterable[str], weights: Iterable[float]):
        names, weights = list(names), np.asarray(list(weights), dtype=np.float64)
        order = np.argsort(-weights, kind="stable")
        self.names: list[str] = [names[i] for i in order]
        self.p: np.ndarray = weights[order] / weights.sum()

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: int) -> str:
        return self.names[i]


def _provider(country: str) -> type:
    locale = LOCALE[country]
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def _usable(name: str) -> bool:
    """Written as is in CSV and JSON, and transliterates to a plain e-mail local part (see _people.ascii_local)."""
    plain = "".join(TRANSLIT.get(ch, ch) for ch in name).lower().replace(" ", "").replace("-", "")
    return re.fullmatch(r"[a-z]+", plain) is not None


def _dutch_surname(name: str) -> bool:
    *particles, core = name.split(" ")
    return all(p in _NL_PARTICLES for p in particles) and core[:1].isupper()


def _rank_weight(first: int, last: int, shape: tuple[float, float]) -> np.ndarray:
    """Weights of ranks first..last (inclusive)."""
    s, q = shape
    return 1.0 / (np.arange(first, last + 1, dtype=np.float64) + q) ** s


def _table(
    source: Iterable[str] | Mapping[str, float], kind: str, shape: tuple[float, float], head: list[str]
) -> NameTable:
    if kind == "weighted":
        assert isinstance(source, Mapping)
        items = [(n, float(w)) for n, w in source.items() if _usable(n)]
        return NameTable([n for n, _ in items], [w for _, w in items])
    names = list(dict.fromkeys(n for n in source if _usable(n)))
    if kind == "ranked":
        return NameTable(names, _rank_weight(1, len(names), shape))
    # unordered: the common names first, by rank; the others share the remaining ranks' weight
    tail = [n for n in names if n not in set(head)]
    head_w = _rank_weight(1, len(head), shape)
    tail_w = np.full(len(tail), _rank_weight(len(head) + 1, len(head) + len(tail), shape).mean())
    return NameTable(head + tail, np.concatenate([head_w, tail_w]))


# (country, kind of the given-name lists, kind of the surname list)
_KINDS = {
    "DE": ("unordered", "unordered"),
    "GB": ("ranked", "weighted"),
    "SE": ("weighted", "weighted"),
    "FR": ("unordered", "ranked"),
    "NL": ("unordered", "unordered"),
    "US": ("weighted", "weighted"),
}


def _build() -> tuple[dict[tuple[str, int], NameTable], dict[str, NameTable]]:
    first: dict[tuple[str, int], NameTable] = {}
    last: dict[str, NameTable] = {}
    for c in COUNTRIES:
        provider = _provider(c)
        first_kind, last_kind = _KINDS[c]
        for g, attr in ((0, "first_names_male"), (1, "first_names_female")):
            head = COMMON_FIRST_NAMES.get((c, g), [])
            first[(c, g)] = _table(getattr(provider, attr), first_kind, FIRST_NAME_RANK_WEIGHT, head)
        surnames = provider.last_names
        if c == "NL":
            surnames = [n for n in surnames if _dutch_surname(n)]
        last[c] = _table(surnames, last_kind, LAST_NAME_RANK_WEIGHT, COMMON_LAST_NAMES.get(c, []))
    return first, last


# FIRST_NAMES[(country, gender)] (gender 0 male, 1 female) and LAST_NAMES[country]
FIRST_NAMES, LAST_NAMES = _build()
