"""Reference data: products, stores, fx rates, and a synthetic GeoLite2-layout IP geolocation table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ._common import START, Counts, CsvOut
from ._vocab import (
    BRANDS,
    CATEGORIES,
    CATEGORY_NOUNS,
    CATEGORY_SPEC,
    CITIES,
    COUNTRIES,
    COUNTRY_CONTINENT,
    COUNTRY_EU,
    COUNTRY_GEONAME,
    COUNTRY_NAME,
    CURRENCIES,
    EUR_PER_UNIT,
    SERIES,
    TIMEZONES,
)

CUR_IDX = {c: i for i, c in enumerate(CURRENCIES)}
CITY_COUNTRY = np.array([COUNTRIES.index(c[0]) for c in CITIES], dtype=np.int64)
CITY_TZ = np.array([c[6] for c in CITIES], dtype=np.int64)
CITY_WEIGHT = np.array([c[7] for c in CITIES], dtype=np.float64)


def psych_price(x: np.ndarray, whole: bool = False) -> np.ndarray:
    """Price points in minor units: 19.99, 249.99, 1299.00; `whole` for SEK-style 1299 kr."""
    x = np.asarray(x, dtype=np.float64)
    if whole:
        return ((np.maximum(np.round(x / 10.0), 1) * 10 - 1) * 100).astype(np.int64)
    small = (np.floor(x) * 100 + 99).astype(np.int64)
    mid = (np.round(x) * 100 - 1).astype(np.int64)
    big = ((np.round(x / 10.0) * 10 - 1) * 100).astype(np.int64)
    return np.where(x < 100, small, np.where(x < 1000, mid, big))


@dataclass
class Products:
    sku: list[str]
    category: np.ndarray  # int category index
    price: np.ndarray  # (P, len(CURRENCIES)) int64 minor units; CHF column unused
    launched: np.ndarray  # day offset relative to START
    multi: np.ndarray  # per category: probability that a line has more than one piece

    def launched_by_cat(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Products launched by `day`, sorted by category then EUR price: (order, cat_start, cat_count)."""
        ok = np.flatnonzero(self.launched <= day)
        o = ok[np.lexsort((self.price[ok, 0], self.category[ok]))]
        cats = self.category[o]
        start = np.searchsorted(cats, np.arange(len(CATEGORIES)), side="left")
        end = np.searchsorted(cats, np.arange(len(CATEGORIES)), side="right")
        return o, start, end - start


def build_products(rng: np.random.Generator, lake: Path, counts: Counts) -> Products:
    rows = []
    cat_l, eur_l, launch_l = [], [], []
    for ci, cat in enumerate(CATEGORIES):
        lo, hi, k, _pop, _multi = CATEGORY_SPEC[cat]
        p = np.exp(rng.uniform(np.log(lo), np.log(hi), k))
        eur = psych_price(p)
        new = rng.random(k) < 0.2
        new[np.argsort(p)[:3]] = False  # the cheapest items of every category exist from the start
        start_ord = date(2022, 1, 1).toordinal()
        launch = np.where(
            new,
            rng.integers(10, 455, k),
            rng.integers(start_ord, START.toordinal() - 1, k) - START.toordinal(),
        )
        names_seen: set[str] = set()
        brands = BRANDS[cat]
        nouns = CATEGORY_NOUNS[cat]
        for j in range(k):
            while True:
                brand = brands[rng.integers(len(brands))]
                name = f"{brand} {nouns[rng.integers(len(nouns))]}"
                name += f" {SERIES[rng.integers(len(SERIES))]}"
                if cat not in ("video_games", "toys"):
                    name += f" {int(rng.integers(2, 12))}"
                if name not in names_seen:
                    names_seen.add(name)
                    break
            rows.append([name, cat, brand])
            cat_l.append(ci)
            eur_l.append(int(eur[j]))
            launch_l.append(int(launch[j]))
    n = len(rows)
    perm = rng.permutation(n)  # interleave categories in the sku numbering
    cat = np.array(cat_l)[perm]
    eur = np.array(eur_l, dtype=np.int64)[perm]
    launch = np.array(launch_l, dtype=np.int64)[perm]
    rows = [rows[i] for i in perm.tolist()]
    price = np.zeros((n, len(CURRENCIES)), dtype=np.int64)
    price[:, CUR_IDX["EUR"]] = eur
    price[:, CUR_IDX["GBP"]] = psych_price(eur / 100.0 * 0.88)
    price[:, CUR_IDX["SEK"]] = psych_price(eur / 100.0 * 11.0, whole=True)
    price[:, CUR_IDX["USD"]] = psych_price(eur / 100.0 * 1.08)
    price[:, CUR_IDX["CHF"]] = psych_price(eur / 100.0 * 0.98)
    skus = [f"SKU-{i + 1:05d}" for i in range(n)]
    base = np.datetime64(START.isoformat(), "D")
    launched_s = np.datetime_as_string(base + launch, unit="D").tolist()
    out = CsvOut(
        lake,
        "reference/products.csv",
        ["sku", "product_name", "category", "brand", "list_price_eur", "launched_on"],
        counts,
    )
    out.write(
        [[skus[i], r[0], r[1], r[2], f"{eur[i] // 100}.{eur[i] % 100:02d}", launched_s[i]] for i, r in enumerate(rows)]
    )
    out.close()
    multi = np.array([CATEGORY_SPEC[c][4] for c in CATEGORIES])
    return Products(skus, cat, price, launch, multi)


# ------------------------------------------------------------------------------------------------ stores
STORES_PER_COUNTRY = {"DE": 9, "GB": 6, "SE": 3, "FR": 5, "NL": 3, "US": 4}
STORE_SUFFIX = ["City", "Mall", "North", "South", "Station", "Park"]


@dataclass
class Stores:
    ids: list[str]
    country: np.ndarray
    city: np.ndarray
    tz: np.ndarray
    by_country: list[np.ndarray]


def build_stores(rng: np.random.Generator, lake: Path, counts: Counts, addr) -> Stores:
    ids, country, city, rows = [], [], [], []
    for ci, c in enumerate(COUNTRIES):
        cities = np.flatnonzero(ci == CITY_COUNTRY)
        w = CITY_WEIGHT[cities] / CITY_WEIGHT[cities].sum()
        k = STORES_PER_COUNTRY[c]
        chosen = np.concatenate([cities[np.argsort(-w, kind="stable")][: min(k, len(cities))]])
        if len(chosen) < k:
            chosen = np.concatenate([chosen, rng.choice(cities, k - len(chosen), p=w)])
        chosen = np.sort(chosen)
        used: dict[int, int] = {}
        for cy in chosen.tolist():
            used[cy] = used.get(cy, 0) + 1
            sid = f"S{len(ids) + 1:03d}"
            street, postcode = addr.random_street(rng, ci, cy)
            opened = date.fromordinal(int(rng.integers(date(2008, 1, 1).toordinal(), date(2025, 1, 1).toordinal())))
            rows.append(
                [
                    sid,
                    f"TechPoint {CITIES[cy][1]} {STORE_SUFFIX[used[cy] - 1]}",
                    street,
                    postcode,
                    CITIES[cy][1],
                    CITIES[cy][3],
                    c,
                    opened.isoformat(),
                ]
            )
            ids.append(sid)
            country.append(ci)
            city.append(cy)
    out = CsvOut(
        lake,
        "reference/stores.csv",
        ["store_id", "store_name", "street", "postcode", "city", "region", "country", "opened_on"],
        counts,
    )
    out.write(rows)
    out.close()
    country_a = np.array(country)
    city_a = np.array(city)
    return Stores(
        ids, country_a, city_a, CITY_TZ[city_a], [np.flatnonzero(country_a == i) for i in range(len(COUNTRIES))]
    )


def write_fx(lake: Path, counts: Counts) -> None:
    out = CsvOut(lake, "reference/fx_rates.csv", ["currency_code", "eur_per_unit"], counts)
    out.write([[c, f"{EUR_PER_UNIT[c]:.6f}"] for c in CURRENCIES])
    out.close()


# ------------------------------------------------------------------------------------------------- geoip
BLOCKS_PER_COUNTRY = {"DE": 40, "GB": 30, "SE": 12, "FR": 25, "NL": 15, "US": 40}
LISTED_FIRST_OCTETS = [
    2,
    5,
    31,
    37,
    46,
    62,
    77,
    78,
    79,
    80,
    81,
    82,
    84,
    85,
    86,
    87,
    88,
    89,
    90,
    91,
    92,
    93,
    94,
    95,
    98,
    99,
    104,
    107,
    108,
    109,
    151,
    176,
    178,
    185,
    188,
    193,
    194,
    195,
    212,
    213,
    217,
]
UNLISTED_FIRST_OCTETS = [45, 103, 154]  # never used by a listed network: IPs here have no location
CITY_GEONAME0 = 9_100_001


@dataclass
class Geo:
    net_base: np.ndarray  # uint32 network address
    net_size: np.ndarray  # number of addresses
    net_country: np.ndarray
    net_city: np.ndarray
    city_nets: list[np.ndarray]  # per city: network indices
    country_nets: list[np.ndarray]


def build_geoip(rng: np.random.Generator, lake: Path, counts: Counts) -> Geo:
    blocks = [(a, b) for a in LISTED_FIRST_OCTETS for b in range(256)]
    total = sum(BLOCKS_PER_COUNTRY.values())
    chosen = rng.choice(len(blocks), total + len(CITIES), replace=False)
    nets = []  # (base, prefix, country, city)
    k = 0
    for ci, c in enumerate(COUNTRIES):
        cities = np.flatnonzero(ci == CITY_COUNTRY)
        w = CITY_WEIGHT[cities] / CITY_WEIGHT[cities].sum()
        for _ in range(BLOCKS_PER_COUNTRY[c]):
            a, b = blocks[chosen[k]]
            k += 1
            base16 = (a << 24) | (b << 16)
            kind = rng.random()
            if kind < 0.25:
                nets.append((base16, 16, ci, int(rng.choice(cities, p=w))))
            elif kind < 0.55:
                for t in np.sort(rng.choice(16, int(rng.integers(1, 7)), replace=False)).tolist():
                    nets.append((base16 | (t << 12), 20, ci, int(rng.choice(cities, p=w))))
            else:
                for t in np.sort(rng.choice(256, int(rng.integers(2, 13)), replace=False)).tolist():
                    nets.append((base16 | (t << 8), 24, ci, int(rng.choice(cities, p=w))))
    # every city needs at least one network
    have = {n[3] for n in nets}
    for cy in range(len(CITIES)):
        if cy not in have:
            a, b = blocks[chosen[k]]
            k += 1
            t = int(rng.integers(0, 256))
            nets.append(((a << 24) | (b << 16) | (t << 8), 24, int(CITY_COUNTRY[cy]), cy))
    nets.sort()
    base = np.array([n[0] for n in nets], dtype=np.int64)
    prefix = np.array([n[1] for n in nets])
    size = (1 << (32 - prefix)).astype(np.int64)
    assert np.all(base[1:] >= base[:-1] + size[:-1]), "overlapping networks"
    country = np.array([n[2] for n in nets])
    city = np.array([n[3] for n in nets])

    rows = []
    lat_j = rng.uniform(-0.06, 0.06, len(nets))
    lon_j = rng.uniform(-0.09, 0.09, len(nets))
    for i, (b, p, ci, cy) in enumerate(nets):
        cc = COUNTRIES[ci]
        spec = CITIES[cy][8]
        if spec[0] == "gb":
            postal = spec[1][int(rng.integers(len(spec[1])))]
        elif spec[0] == "se":
            postal = f"{int(rng.integers(spec[1], spec[2] + 1))} {int(rng.integers(0, 100)):02d}"
        elif spec[0] == "nl":
            postal = f"{int(rng.integers(spec[1], spec[2] + 1))}"
        else:
            postal = f"{int(rng.integers(spec[1], spec[2] + 1)):05d}"
        radius = {16: int(rng.integers(100, 501)), 20: int(rng.integers(20, 101)), 24: int(rng.integers(5, 21))}[p]
        rows.append(
            [
                f"{b >> 24}.{(b >> 16) & 255}.{(b >> 8) & 255}.{b & 255}/{p}",
                CITY_GEONAME0 + cy,
                COUNTRY_GEONAME[cc],
                "",
                0,
                0,
                postal,
                f"{CITIES[cy][4] + lat_j[i]:.4f}",
                f"{CITIES[cy][5] + lon_j[i]:.4f}",
                radius,
            ]
        )
    out = CsvOut(
        lake,
        "reference/geoip/GeoLite2-City-Blocks-IPv4.csv",
        [
            "network",
            "geoname_id",
            "registered_country_geoname_id",
            "represented_country_geoname_id",
            "is_anonymous_proxy",
            "is_satellite_provider",
            "postal_code",
            "latitude",
            "longitude",
            "accuracy_radius",
        ],
        counts,
    )
    out.write(rows)
    out.close()

    loc = []
    for cc in COUNTRIES:
        cont = COUNTRY_CONTINENT[cc]
        tzs = sorted({TIMEZONES[c[6]] for c in CITIES if c[0] == cc})
        loc.append(
            [
                COUNTRY_GEONAME[cc],
                "en",
                cont[0],
                cont[1],
                cc,
                COUNTRY_NAME[cc],
                "",
                "",
                "",
                "",
                "",
                "",
                tzs[0] if len(tzs) == 1 else "",
                COUNTRY_EU[cc],
            ]
        )
    for cy, c in enumerate(CITIES):
        cont = COUNTRY_CONTINENT[c[0]]
        loc.append(
            [
                CITY_GEONAME0 + cy,
                "en",
                cont[0],
                cont[1],
                c[0],
                COUNTRY_NAME[c[0]],
                c[2],
                c[3],
                "",
                "",
                c[1],
                c[10],
                TIMEZONES[c[6]],
                COUNTRY_EU[c[0]],
            ]
        )
    out = CsvOut(
        lake,
        "reference/geoip/GeoLite2-City-Locations-en.csv",
        [
            "geoname_id",
            "locale_code",
            "continent_code",
            "continent_name",
            "country_iso_code",
            "country_name",
            "subdivision_1_iso_code",
            "subdivision_1_name",
            "subdivision_2_iso_code",
            "subdivision_2_name",
            "city_name",
            "metro_code",
            "time_zone",
            "is_in_european_union",
        ],
        counts,
    )
    out.write(loc)
    out.close()
    return Geo(
        base,
        size,
        country,
        city,
        [np.flatnonzero(city == cy) for cy in range(len(CITIES))],
        [np.flatnonzero(country == ci) for ci in range(len(COUNTRIES))],
    )


def ip_in(rng: np.random.Generator, geo: Geo, nets: np.ndarray) -> np.ndarray:
    """A random host address (uint32 as int64) inside each given network index."""
    size = geo.net_size[nets]
    return geo.net_base[nets] + 1 + (rng.random(len(nets)) * (size - 2)).astype(np.int64)


def unlisted_ips(rng: np.random.Generator, n: int) -> np.ndarray:
    a = np.array(UNLISTED_FIRST_OCTETS, dtype=np.int64)[rng.integers(0, len(UNLISTED_FIRST_OCTETS), n)]
    return (a << 24) | rng.integers(1, 1 << 24, n)


def ip_str(ips: np.ndarray) -> list[str]:
    ips = np.asarray(ips, dtype=np.int64)
    a, b, c, d = (ips >> 24).tolist(), ((ips >> 16) & 255).tolist(), ((ips >> 8) & 255).tolist(), (ips & 255).tolist()
    return [f"{w}.{x}.{y}.{z}" for w, x, y, z in zip(a, b, c, d, strict=True)]
