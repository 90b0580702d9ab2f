"""How often the generator's people share a full name (benchmark only; reads seeds_data._names, optionally a truth).

    python -m benchmarks.name_frequencies [--scale 1000] [--truth seeds_data/truth]

From the name distributions (seeds_data._names, the country shares and a 50/50 sex split), with first and last
name drawn independently: the expected number of other people who share a random person's full name among the
scale's 1000 * scale people (N * sum over full names of p ** 2, overall and within each country), and each
country's five most common full names with their share of the country's people. Households, whose members
mostly share a surname, add a little to what is printed here. With --truth, the same count measured on a
generated lake's people.csv.
"""

from __future__ import annotations

import argparse
import csv
import heapq
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from seeds_data._vocab import COUNTRIES, COUNTRY_SHARE

# name -> probability
Distribution = Mapping[str, float]


@dataclass
class CountryNames:
    first: dict[str, float]  # both sexes, 50/50
    last: dict[str, float]


def country_names(first: Mapping[tuple[str, int], Distribution], last: Mapping[str, Distribution]) -> dict:
    """Per country: the given-name distribution of both sexes together, and the surname distribution."""
    out: dict[str, CountryNames] = {}
    for c in COUNTRIES:
        merged: Counter = Counter()
        for g in (0, 1):
            for name, p in first[(c, g)].items():
                merged[name] += 0.5 * p
        out[c] = CountryNames(dict(merged), dict(last[c]))
    return out


def _overlap(a: Distribution, b: Distribution) -> float:
    return sum(p * b.get(name, 0.0) for name, p in a.items())


def expected_namesakes(names: dict[str, CountryNames], people: int) -> tuple[float, dict[str, float]]:
    """Other people expected to share a random person's full name: overall, and counting each country alone."""
    share = dict(zip(COUNTRIES, COUNTRY_SHARE, strict=True))
    total = 0.0
    for a in COUNTRIES:
        for b in COUNTRIES:
            same_first = _overlap(names[a].first, names[b].first)
            same_last = _overlap(names[a].last, names[b].last)
            total += share[a] * share[b] * same_first * same_last
    within = {c: people * share[c] * _overlap(v.first, v.first) * _overlap(v.last, v.last) for c, v in names.items()}
    return people * total, within


def top_full_names(names: CountryNames, k: int = 5) -> list[tuple[str, float]]:
    first = heapq.nlargest(k, names.first.items(), key=lambda kv: kv[1])
    last = heapq.nlargest(k, names.last.items(), key=lambda kv: kv[1])
    pairs = [(f"{f} {la}", pf * pl) for f, pf in first for la, pl in last]
    return heapq.nlargest(k, pairs, key=lambda kv: kv[1])


def measured_namesakes(people_csv: Path) -> tuple[int, float]:
    """People in a people.csv, and the mean number of other people with the same first and last name."""
    with people_csv.open(newline="", encoding="utf-8") as f:
        counts = Counter((r["first_name"], r["last_name"]) for r in csv.DictReader(f))
    n = sum(counts.values())
    return n, sum(k * (k - 1) for k in counts.values()) / n


def report(names: dict[str, CountryNames], scale: float) -> str:
    people = int(1000 * scale)
    overall, within = expected_namesakes(names, people)
    lines = [f"scale {scale:g} ({people} people): a person shares the full name with {overall:.2f} others (expected)"]
    share = dict(zip(COUNTRIES, COUNTRY_SHARE, strict=True))
    for c in COUNTRIES:
        top = ", ".join(f"{name} {p:.3%}" for name, p in top_full_names(names[c]))
        lines.append(f"  {c} ({int(people * share[c])} people): {within[c]:.2f} others in {c}; top 5: {top}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from seeds_data._names import FIRST_NAMES, LAST_NAMES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1000.0)
    parser.add_argument("--truth", type=Path, default=None, help="a truth folder: measure its people.csv too")
    args = parser.parse_args(argv)
    first = {k: dict(zip(t.names, t.p.tolist(), strict=True)) for k, t in FIRST_NAMES.items()}
    last = {k: dict(zip(t.names, t.p.tolist(), strict=True)) for k, t in LAST_NAMES.items()}
    print(report(country_names(first, last), args.scale))
    if args.truth:
        n, others = measured_namesakes(args.truth / "people.csv")
        print(f"{args.truth / 'people.csv'}: {n} people, a person shares the full name with {others:.3f} others")


if __name__ == "__main__":
    main()
