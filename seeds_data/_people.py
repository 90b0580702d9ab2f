"""People, households and each source system's (noisy) view of them.

The person-level model lives in numpy arrays (one row per person). The master-data exports (CRM contacts,
ERP customers, web-shop accounts, loyalty members, game players) are rendered record by record with the
identity noise described in seeds_data/README.md, in chunks, so memory stays bounded at large scales.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._common import (
    DAY_MS,
    HISTORY_DAYS,
    START,
    START_MS,
    TOTAL_DAYS,
    Counts,
    CsvOut,
    Defects,
    alnum_ids,
    bad_date_values,
    distinct_ints,
    dmy,
    iso_local,
    iso_utc,
    line_defects,
    tz_offset_min,
    uuid4s,
    ymd,
)
from ._names import FIRST_NAMES, LAST_NAMES
from ._reference import CITY_COUNTRY, CITY_TZ, CITY_WEIGHT, CUR_IDX, Geo, Stores, ip_in
from ._vocab import (
    CATEGORIES,
    CATEGORY_SPEC,
    CITIES,
    COUNTRIES,
    CURRENCY,
    EMAIL_DOMAIN_WEIGHTS,
    EMAIL_DOMAINS,
    FOLD,
    GAMER_ADJ,
    GAMER_NOUN,
    MOBILE_PREFIXES,
    NICKNAMES,
    NSN_LEN,
    PHONE_CC,
    STREET_NAMES,
    STREET_TYPES,
    TRANSLIT,
    USER_AGENTS,
    WORK_DOMAINS,
)

C = len(CATEGORIES)
NC = len(COUNTRIES)
NEVER = 10**6  # "day" for a record that does not exist


class IdCol:
    """The record ids of one source system, stored compactly and formatted on access."""

    def __init__(self, data: np.ndarray, kind: str):
        self.data = data
        self.fmt = {
            "erp": lambda x: f"{x:010d}",
            "game": lambda x: f"P-{x:08d}",
            "pos": lambda x: f"{x:013d}",
            "crm": lambda x: x.decode(),
            "shop": lambda x: x.decode(),
        }[kind]

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i) -> str:
        return self.fmt(self.data[int(i)].item())

    def take(self, idx: np.ndarray, null=None) -> list:
        """Ids of the given record indices; `null` where the index is negative."""
        idx = np.asarray(idx, dtype=np.int64)
        ok = idx >= 0
        vals = [self.fmt(x) for x in self.data[idx[ok]].tolist()]
        if ok.all():
            return vals
        out = [null] * len(idx)
        for j, v in zip(np.flatnonzero(ok).tolist(), vals, strict=True):
            out[j] = v
        return out


class U:
    """Cheap scalar uniforms for per-record Python code, drawn in blocks from the one numpy Generator."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16):
        self.rng = rng
        self.block = block
        self._it = iter(())

    def __call__(self) -> float:
        try:
            return next(self._it)
        except StopIteration:
            self._it = iter(self.rng.random(self.block).tolist())
            return next(self._it)

    def choice(self, seq):
        return seq[int(self() * len(seq))]

    def int(self, lo: int, hi: int) -> int:
        """integer in [lo, hi]"""
        return lo + int(self() * (hi - lo + 1))


# ------------------------------------------------------------------------------------------ text noise
_KEYB = {
    "a": "sqz",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "wa",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "xa",
}


def typo(s: str, u: U) -> str:
    if len(s) < 4:
        return s
    k = int(u() * 4)
    i = 1 + int(u() * (len(s) - 2))
    if k == 0:  # transpose
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if k == 1:  # drop
        return s[:i] + s[i + 1 :]
    if k == 2:  # double
        return s[:i] + s[i] + s[i:]
    nb = _KEYB.get(s[i].lower())
    return s[:i] + (u.choice(nb) if nb else s[i]) + s[i + 1 :]


def translit(s: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in s)


def fold(s: str) -> str:
    return "".join(FOLD.get(ch, ch) for ch in s)


def _mailbox(address: str) -> str:
    """The mailbox an address reaches: Gmail ignores dots in the local part and googlemail.com is gmail.com."""
    loc, dom = address.split("@")
    if dom in ("gmail.com", "googlemail.com"):
        return f"{loc.replace('.', '')}@gmail.com"
    return address


def ascii_local(s: str) -> str:
    return translit(s).lower().replace(" ", "").replace("-", "")


# --------------------------------------------------------------------------------------------- phones
def fmt_phone(cc: str, area: str, rest: str, style: int) -> str:
    if cc == "1":
        a, b, c = area, rest[:3], rest[3:]
        return [f"+1{a}{b}{c}", f"+1 {a}-{b}-{c}", f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"1-{a}-{b}-{c}", f"{a}{b}{c}"][
            style
        ]
    if cc == "33":
        pairs = " ".join(rest[i : i + 2] for i in range(0, len(rest), 2))
        return [
            f"+33{area}{rest}",
            f"+33 {area} {pairs}",
            f"0{area} {pairs}",
            f"0{area}{rest}",
            f"0033{area}{rest}",
            f"0{area}.{rest[:2]}.{rest[2:4]}.{rest[4:6]}.{rest[6:]}",
        ][style]
    return [
        f"+{cc}{area}{rest}",
        f"+{cc} {area} {rest}",
        f"0{area} {rest}",
        f"0{area}/{rest}",
        f"00{cc}{area}{rest}",
        f"0{area}-{rest}",
    ][style]


def _digits(u: U, k: int) -> str:
    return "".join(str(int(u() * 10)) for _ in range(k))


# ------------------------------------------------------------------------------------------ addresses
class Addr:
    """Street rendering per country with optional abbreviation."""

    @staticmethod
    def street(
        ci: int, name: int, typ: int, no: int, abbrev: bool = False, upper: bool = False, ss: bool = False
    ) -> str:
        c = COUNTRIES[ci]
        nm = STREET_NAMES[c][name]
        full, short = STREET_TYPES[c][typ]
        t = short if abbrev else full
        if c in ("DE", "NL", "SE"):
            if nm == "Am Markt":
                s = f"Am Markt {no}"
            elif c == "DE" and nm in ("Goethe", "Schiller", "Friedrich") and not abbrev:
                s = f"{nm}{t} {no}"
            else:
                s = f"{nm}{t} {no}"
            if ss:
                s = s.replace("ß", "ss")
        elif c == "FR":
            s = f"{no} {t if full != 'rue' else 'rue'} {nm}"
        else:
            s = f"{no} {nm} {t}"
        return s.upper() if upper else s

    @staticmethod
    def postcode(spec, u: U) -> str:
        kind = spec[0]
        if kind == "num5":
            return f"{u.int(spec[1], spec[2]):05d}"
        if kind == "se":
            return f"{u.int(spec[1], spec[2])} {u.int(0, 99):02d}"
        if kind == "nl":
            return f"{u.int(spec[1], spec[2])} {chr(65 + u.int(0, 25))}{chr(65 + u.int(0, 25))}"
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        return f"{u.choice(spec[1])} {u.int(1, 9)}{u.choice(letters)}{u.choice(letters)}"

    def random_street(self, rng: np.random.Generator, ci: int, city: int) -> tuple[str, str]:
        u = U(rng, 64)
        c = COUNTRIES[ci]
        s = self.street(ci, u.int(0, len(STREET_NAMES[c]) - 1), u.int(0, len(STREET_TYPES[c]) - 1), u.int(1, 180))
        return s, self.postcode(CITIES[city][8], u)


# --------------------------------------------------------------------------------------------- model
@dataclass
class People:
    n: int
    hh: np.ndarray
    country: np.ndarray
    city: np.ndarray
    tz: np.ndarray
    cur: np.ndarray  # currency index (CURRENCIES)
    gender: np.ndarray
    first: list[str]
    last: list[str]
    birth: np.ndarray  # day offsets relative to START (negative)
    email: list[str]
    join: np.ndarray  # first day the person can buy
    lam: np.ndarray  # base purchase probability per day
    mu: np.ndarray  # dropout hazard per day
    p_drop: np.ndarray  # probability of leaving after a purchase
    chw: np.ndarray  # (n, 3) channel preference web / pos / erp
    pref: np.ndarray  # (n, C) category affinity
    pref_cum: np.ndarray  # (n, C) float32 cumulative
    price_sens: np.ndarray
    browse: np.ndarray  # web sessions per day (when web-active)
    home_store: np.ndarray
    home_ip: np.ndarray
    mobile_net: np.ndarray
    # per system: first and second record index and their creation day (NEVER if none)
    sys: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # system -> list of record id strings
    rec_person: dict = field(default_factory=dict)  # system -> array record -> person
    rec_day: dict = field(default_factory=dict)  # system -> array record -> created day
    email_ok: np.ndarray | None = None  # CRM contact allows bulk e-mail (per CRM record)
    sms_ok: np.ndarray | None = None  # loyalty opt-in (per card)
    game_rate: np.ndarray | None = None
    iap_rate: np.ndarray | None = None
    platform: np.ndarray | None = None
    game_pref: np.ndarray | None = None
    # cookies (CSR by person)
    ck_off: np.ndarray | None = None
    ck_num: np.ndarray | None = None
    ck_person: np.ndarray | None = None
    ck_ua: np.ndarray | None = None
    ck_acct2: np.ndarray | None = None  # cookie logs into the person's second shop account
    web_active: np.ndarray | None = None
    alt_email: list = field(default_factory=list)  # per person: (work address, older provider address)


def _top_share(score: np.ndarray, share: float) -> np.ndarray:
    if len(score) == 0:
        return np.zeros(0, dtype=bool)
    thr = np.quantile(score, 1 - share)
    return score > thr


def build_people(rng: np.random.Generator, n: int, geo: Geo, stores: Stores) -> tuple[People, dict]:
    u = U(rng)
    # households
    sizes = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.52, 0.28, 0.11, 0.07, 0.02])
    hh = np.repeat(np.arange(n), sizes)[:n]
    nh = int(hh[-1]) + 1
    h_country = rng.choice(NC, nh, p=np.array([0.32, 0.20, 0.10, 0.15, 0.10, 0.13]))
    h_city = np.empty(nh, dtype=np.int64)
    for ci in range(NC):
        m = h_country == ci
        cities = np.flatnonzero(ci == CITY_COUNTRY)
        w = CITY_WEIGHT[cities]
        h_city[m] = rng.choice(cities, int(m.sum()), p=w / w.sum())
    country = h_country[hh]
    city = h_city[hh]
    tz = CITY_TZ[city]
    cur = np.array([CUR_IDX[CURRENCY[c]] for c in COUNTRIES])[country]
    gender = rng.integers(0, 2, n)

    # names: drawn by each country's name frequencies (_names.py), so common names collide across people
    fi = np.empty(n, dtype=np.int64)
    li = np.empty(n, dtype=np.int64)
    for ci, c in enumerate(COUNTRIES):
        for g in (0, 1):
            m = (country == ci) & (gender == g)
            table = FIRST_NAMES[(c, g)]
            fi[m] = rng.choice(len(table), int(m.sum()), p=table.p)
        m = country == ci
        li[m] = rng.choice(len(LAST_NAMES[c]), int(m.sum()), p=LAST_NAMES[c].p)
    # household members mostly share the first member's last name
    first_of_hh = np.searchsorted(hh, hh)
    share_last = rng.random(n) < 0.8
    li = np.where(share_last, li[first_of_hh], li)
    cc_l = [COUNTRIES[c] for c in country.tolist()]
    first = [FIRST_NAMES[(c, g)][i] for c, g, i in zip(cc_l, gender.tolist(), fi.tolist(), strict=True)]
    last = [LAST_NAMES[c][i] for c, i in zip(cc_l, li.tolist(), strict=True)]

    age_years = np.clip(rng.normal(42, 15, n), 16, 88)
    birth = -(age_years * 365.25).astype(np.int64) - rng.integers(0, 365, n)

    # e-mails: one mailbox per person. Uniqueness is checked on the mailbox, not the spelling: Gmail ignores
    # dots in the local part, so f.la@gmail.com and fla@gmail.com would be one person's mailbox.
    dom_idx = rng.choice(len(EMAIL_DOMAIN_WEIGHTS), n, p=EMAIL_DOMAIN_WEIGHTS)
    style = rng.choice(7, n, p=[0.35, 0.12, 0.12, 0.08, 0.15, 0.08, 0.10])
    num = rng.integers(1, 99, n)
    byear = ((np.datetime64(START.isoformat(), "D") + birth).astype("datetime64[Y]").astype(int) + 1970).tolist()
    email: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        f = ascii_local(first[i])
        la = ascii_local(last[i])
        s = int(style[i])
        loc = [
            f"{f}.{la}",
            f"{f}{la}",
            f"{f[0]}.{la}",
            f"{f}_{la}",
            f"{f}.{la}{byear[i] % 100:02d}",
            f"{la}.{f}",
            f"{f}{num[i]}",
        ][s]
        doms = EMAIL_DOMAINS[cc_l[i]]
        dom = doms[min(int(dom_idx[i]), len(doms) - 1)]
        e = f"{loc}@{dom}"
        k = 2
        while _mailbox(e) in seen:
            e = f"{loc}{k}@{dom}"
            k += 1
        seen.add(_mailbox(e))
        email.append(e)
    # each person's other addresses (a work address, an older provider), unique mailboxes as well
    alt_num = rng.integers(1, 99, n)
    work_dom = rng.integers(0, len(WORK_DOMAINS), n)
    old_dom = rng.integers(0, 1 << 30, n)
    alt_email: list[tuple[str, str]] = []
    for i in range(n):
        f = ascii_local(first[i])
        la = ascii_local(last[i])
        doms = EMAIL_DOMAINS[cc_l[i]]
        pair = []
        for loc, dom in ((f"{f}.{la}", WORK_DOMAINS[int(work_dom[i])]),
                         (f"{f[0]}{la}{int(alt_num[i])}", doms[int(old_dom[i]) % len(doms)])):  # fmt: skip
            e = f"{loc}@{dom}"
            k = 2
            while _mailbox(e) in seen:
                e = f"{loc}{k}@{dom}"
                k += 1
            seen.add(_mailbox(e))
            pair.append(e)
        alt_email.append((pair[0], pair[1]))
    del seen

    # behaviour
    join = np.where(rng.random(n) < 0.55, rng.integers(-1500, 0, n), rng.integers(0, TOTAL_DAYS, n))
    lam = np.minimum(rng.gamma(0.6, (1 / 38) / 0.6, n), 0.35)
    mu = rng.gamma(1.0, 1 / 1500, n)
    p_drop = rng.beta(0.6, 8.0, n)
    alpha = np.array([2.0, 2.0, 0.35])
    chw = rng.gamma(np.broadcast_to(alpha, (n, 3)))
    us = country == COUNTRIES.index("US")
    chw[us, 0] *= 2.5
    chw /= chw.sum(1, keepdims=True)
    pop = np.array([CATEGORY_SPEC[c][3] for c in CATEGORIES])
    pref = rng.gamma(np.broadcast_to(pop * 0.45, (n, C)))
    gamer_score = -(age_years - 30) / 12 + rng.normal(0, 1, n) + 0.6 * (gender == 0)
    gaming = [CATEGORIES.index(c) for c in ("video_games", "consoles", "gaming_accessories")]
    pref[:, gaming] *= np.exp(0.6 * gamer_score)[:, None]
    pref = np.maximum(pref, 1e-4)
    pref /= pref.sum(1, keepdims=True)
    pref_cum = np.cumsum(pref, axis=1).astype(np.float32)
    pref_cum[:, -1] = 1.0
    price_sens = rng.beta(2, 2, n)
    browse = (0.012 + 1.4 * lam) * rng.gamma(2.0, 0.5, n)

    # home store: a store in the person's city if any, else one in the country
    home_store = np.empty(n, dtype=np.int64)
    for ci in range(NC):
        cand = stores.by_country[ci]
        m = np.flatnonzero(country == ci)
        pick = cand[rng.integers(0, len(cand), len(m))]
        same = {int(cy): np.flatnonzero(stores.city == cy) for cy in np.unique(city[m]).tolist()}
        for j, p in enumerate(m.tolist()):
            s = same.get(int(city[p]))
            if s is not None and len(s):
                pick[j] = s[int(u() * len(s))]
        home_store[m] = pick
    # home internet connection in the person's city (the household shares it), plus a mobile network
    h_net = np.empty(nh, dtype=np.int64)
    for cy in range(len(CITIES)):
        m = np.flatnonzero(h_city == cy)
        nets = geo.city_nets[cy] if len(geo.city_nets[cy]) else geo.country_nets[int(CITY_COUNTRY[cy])]
        h_net[m] = nets[rng.integers(0, len(nets), len(m))]
    h_ip = ip_in(rng, geo, h_net)
    home_ip = h_ip[hh]
    mobile_net = np.empty(n, dtype=np.int64)
    for ci in range(NC):
        m = np.flatnonzero(country == ci)
        nets = geo.country_nets[ci]
        mobile_net[m] = nets[rng.integers(0, len(nets), len(m))]

    P = People(
        n,
        hh,
        country,
        city,
        tz,
        cur,
        gender,
        first,
        last,
        birth,
        email,
        join,
        lam,
        mu,
        p_drop,
        chw,
        pref,
        pref_cum,
        price_sens,
        browse,
        home_store,
        home_ip,
        mobile_net,
    )
    P.alt_email = alt_email

    # ------------------------------------------------------------------ system memberships
    noise = rng.normal(0, 1, (n, 5))
    has_shop = _top_share(chw[:, 0] + 0.2 * noise[:, 0], 0.55)
    has_loy = _top_share(chw[:, 1] + 0.2 * noise[:, 1] - 0.3 * us, 0.40)
    has_erp = _top_share(chw[:, 2] + 0.05 * noise[:, 2], 0.25)
    has_game = _top_share(gamer_score + 0.5 * noise[:, 3], 0.30)
    lam_rank = np.argsort(np.argsort(lam)) / n
    has_crm = _top_share(1.0 * has_erp + 0.4 * has_loy + lam_rank + 0.6 * noise[:, 4], 0.60)

    def created(base: np.ndarray, has: np.ndarray, spread: float, before: float) -> np.ndarray:
        delta = rng.exponential(spread, n)
        d = np.where(rng.random(n) < before, base - delta, base + delta).astype(np.int64)
        return np.where(has, np.maximum(d, -2600), NEVER)

    game_join = rng.integers(-1400, TOTAL_DAYS, n)
    first_day = {
        "crm": created(join, has_crm, 120, 0.6),
        "erp": created(join, has_erp, 30, 0.9),
        "shop": created(join, has_shop, 25, 0.0),
        "pos": created(join, has_loy, 60, 0.0),
        "game": created(game_join, has_game, 1, 0.5),
    }
    dup_p = {"crm": 0.07, "erp": 0.03, "shop": 0.06, "pos": 0.03, "game": 0.04}
    for s in ("crm", "erp", "shop", "pos", "game"):
        d1 = first_day[s]
        has2 = (d1 < NEVER) & (rng.random(n) < dup_p[s])
        d2 = np.where(has2, d1 + rng.integers(20, 500, n), NEVER)
        # record index: records ordered by creation day (then person); only those created by the as-of date
        # get an id in the lake, later ones are "future" records (they exist for the simulation after as-of).
        per = np.concatenate([np.flatnonzero(d1 < NEVER), np.flatnonzero(d2 < NEVER)])
        day = np.concatenate([d1[d1 < NEVER], d2[d2 < NEVER]])
        slot = np.concatenate([np.zeros(int((d1 < NEVER).sum()), int), np.ones(int((d2 < NEVER).sum()), int)])
        o = np.lexsort((per, day))
        per, day, slot = per[o], day[o], slot[o]
        r1 = np.full(n, -1, dtype=np.int64)
        r2 = np.full(n, -1, dtype=np.int64)
        r1[per[slot == 0]] = np.flatnonzero(slot == 0)
        r2[per[slot == 1]] = np.flatnonzero(slot == 1)
        P.sys[s] = (r1.astype(np.int32), d1.astype(np.int32), r2.astype(np.int32), d2.astype(np.int32))
        P.rec_person[s] = per
        P.rec_day[s] = day
    # ids
    k = {s: len(P.rec_person[s]) for s in P.sys}
    P.ids["crm"] = IdCol(uuid4s(rng, k["crm"]), "crm")
    P.ids["erp"] = IdCol(np.arange(100001, 100001 + k["erp"], dtype=np.int64), "erp")
    P.ids["shop"] = IdCol(alnum_ids(rng, k["shop"], 8), "shop")
    body = distinct_ints(rng, k["pos"], 0, 10**9)
    P.ids["pos"] = IdCol(np.array([int(_ean13(f"731{b:09d}")) for b in body.tolist()], dtype=np.int64), "pos")
    P.ids["game"] = IdCol(distinct_ints(rng, k["game"], 10**7, 10**8), "game")
    P.email_ok = rng.random(k["crm"]) < 0.82
    P.sms_ok = rng.random(k["pos"]) < 0.55

    # game behaviour
    P.game_rate = rng.gamma(1.5, 0.06 / 1.5, n) * has_game
    payer = rng.random(n) < 0.3
    P.iap_rate = np.where(payer, rng.gamma(1.0, 0.45, n), 0.0)  # purchases per hour of play
    P.platform = rng.choice(3, n, p=[0.5, 0.2, 0.3])
    gp = rng.gamma(np.full((n, 6), 0.5))
    P.game_pref = np.cumsum(gp / gp.sum(1, keepdims=True), axis=1).astype(np.float32)
    P.game_pref[:, -1] = 1.0

    # web: account holders and a share of others browse; 1-3 cookies (devices) per person
    P.web_active = has_shop | (rng.random(n) < 0.35)
    ncookie = 1 + rng.binomial(2, 0.3, n)  # unused cookies of people who never browse are never written
    P.ck_off = np.concatenate([[0], np.cumsum(ncookie)])
    nck = int(P.ck_off[-1])
    P.ck_person = np.repeat(np.arange(n), ncookie)
    P.ck_num = rng.integers(0, 2**63, nck, dtype=np.int64)  # cookie id = f"ck-{num:016x}"
    P.ck_ua = rng.integers(0, len(USER_AGENTS), nck)
    P.ck_acct2 = rng.random(nck) < 0.35
    truth = {"has": {"crm": has_crm, "erp": has_erp, "shop": has_shop, "pos": has_loy, "game": has_game}}
    return P, truth


def _ean13(body12: str) -> str:
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return body12 + str((10 - s % 10) % 10)


# ------------------------------------------------------------------------------------ identity views
@dataclass
class Identity:
    """Per-person canonical contact data that source records derive from."""

    land: list  # (area, rest) or None, per household member
    mobile: list  # (area, rest) or None
    street: np.ndarray  # (n, 3) name idx, type idx, number
    postcode: list[str]
    moved: np.ndarray
    old_street: np.ndarray
    old_city: np.ndarray
    old_postcode: list[str]


def build_identity(rng: np.random.Generator, P: People) -> Identity:
    u = U(rng)
    n = P.n
    nh = int(P.hh[-1]) + 1
    first_of = np.searchsorted(P.hh, np.arange(nh))
    h_city = P.city[first_of]
    h_cc = P.country[first_of]
    h_street = np.empty((nh, 3), dtype=np.int64)
    h_post: list[str] = []
    h_land: list = []
    for h in range(nh):
        ci = int(h_cc[h])
        c = COUNTRIES[ci]
        h_street[h] = (u.int(0, len(STREET_NAMES[c]) - 1), u.int(0, len(STREET_TYPES[c]) - 1), u.int(1, 180))
        spec = CITIES[int(h_city[h])][8]
        h_post.append(Addr.postcode(spec, u))
        if u() < (0.3 if c == "US" else 0.5):
            area = u.choice(CITIES[int(h_city[h])][9])
            h_land.append((area, _digits(u, NSN_LEN[c] - len(area))))
        else:
            h_land.append(None)
    street = h_street[P.hh]
    postcode = [h_post[h] for h in P.hh.tolist()]
    land = [h_land[h] for h in P.hh.tolist()]
    mobile: list = []
    for i in range(n):
        c = COUNTRIES[int(P.country[i])]
        if u() < 0.06:
            mobile.append(None)
            continue
        pre = MOBILE_PREFIXES[c]
        area = u.choice(pre) if pre else u.choice(CITIES[int(P.city[i])][9])
        mobile.append((area, _digits(u, NSN_LEN[c] - len(area) + (1 if c == "DE" else 0))))
    # about 8% of households moved: some systems still have the old address
    moved_h = rng.random(nh) < 0.08
    moved = moved_h[P.hh]
    old_street = street.copy()
    old_city = P.city.copy()
    old_post = list(postcode)
    for i in np.flatnonzero(moved).tolist():
        ci = int(P.country[i])
        c = COUNTRIES[ci]
        if u() < 0.4:  # moved from another city of the same country
            cities = np.flatnonzero(ci == CITY_COUNTRY)
            old_city[i] = cities[int(u() * len(cities))]
        old_street[i] = (u.int(0, len(STREET_NAMES[c]) - 1), u.int(0, len(STREET_TYPES[c]) - 1), u.int(1, 180))
        old_post[i] = Addr.postcode(CITIES[int(old_city[i])][8], u)
    return Identity(land, mobile, street, postcode, moved, old_street, old_city, old_post)


# noise levels per system
NOISE = {
    #        nick  typo_f typo_l trans  swap  upper  email_miss  email_case  alt_email  abbrev  moved_old
    "crm": (0.15, 0.05, 0.04, 0.15, 0.02, 0.00, 0.12, 0.15, 0.06, 0.30, 0.5),
    "erp": (0.05, 0.03, 0.03, 0.40, 0.00, 0.00, 0.35, 0.10, 0.08, 0.60, 0.6),
    "shop": (0.12, 0.02, 0.02, 0.25, 0.00, 0.00, 0.00, 0.12, 0.05, 0.25, 0.5),
    "pos": (0.10, 0.07, 0.06, 0.20, 0.03, 0.12, 0.35, 0.10, 0.05, 0.00, 0.4),
    "game": (0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.05, 0.10, 0.10, 0.00, 0.0),
}


class Viewer:
    """Renders one source record of a person with the system's identity noise."""

    def __init__(self, P: People, ident: Identity, u: U):
        self.P, self.ident, self.u = P, ident, u

    def names(self, i: int, s: str) -> tuple[str, str]:
        u = self.u
        nick, tf, tl, tr, swap, upper = NOISE[s][:6]
        f, la = self.P.first[i], self.P.last[i]
        if u() < nick and f in NICKNAMES:
            f = u.choice(NICKNAMES[f])
        if u() < tf:
            f = typo(f, u)
        if u() < tl:
            la = typo(la, u)
        if u() < tr:
            if u() < 0.6:
                f, la = translit(f), translit(la)
            else:
                f, la = fold(f), fold(la)
        if u() < 0.01 and s == "crm":
            f = f[0] + "."
        if u() < upper:
            f, la = f.upper(), la.upper()
        elif u() < 0.03:
            f, la = f.lower(), la.lower()
        if u() < swap:
            f, la = la, f
        return f, la

    def email(self, i: int, s: str, required: bool = False) -> str:
        u = self.u
        miss, case, alt = NOISE[s][6:9]
        if not required and u() < miss:
            return ""
        e = self.P.email[i]
        if u() < alt:  # one of the person's other addresses: work e-mail or an older provider
            e = self.P.alt_email[i][0 if u() < 0.5 else 1]
        loc, dom = e.split("@")
        if dom == "gmail.com":
            r = u()
            if r < 0.25:
                loc = loc.replace(".", "")
            elif r < 0.4 and len(loc) > 3:
                k = u.int(1, len(loc) - 1)
                loc = loc[:k] + "." + loc[k:] if loc[k - 1] != "." and loc[k] != "." else loc
            if u() < 0.05:
                dom = "googlemail.com"
        if s in ("shop", "game") and u() < 0.06:
            loc += "+" + u.choice(["shop", "news", "games", "2025", "deals"])
        if u() < 0.008:
            loc = typo(loc, u)
        if u() < case:
            if u() < 0.7:
                loc = ".".join(p[:1].upper() + p[1:] for p in loc.split("."))
                dom = dom[:1].upper() + dom[1:]
            else:
                loc, dom = loc.upper(), dom.upper()
        return f"{loc}@{dom}"

    def phone(self, ph, styles: list[float], cc: str) -> str:
        if ph is None:
            return ""
        r = self.u()
        acc = 0.0
        st = 0
        for k, w in enumerate(styles):
            acc += w
            if r < acc:
                st = k
                break
        return fmt_phone(PHONE_CC[cc], ph[0], ph[1], st)

    def address(self, i: int, s: str) -> tuple[str, str, str]:
        u = self.u
        abbrev, moved_old = NOISE[s][9:11]
        ident = self.ident
        old = bool(ident.moved[i]) and u() < moved_old
        st = ident.old_street[i] if old else ident.street[i]
        cy = int(ident.old_city[i]) if old else int(self.P.city[i])
        pc = ident.old_postcode[i] if old else ident.postcode[i]
        ci = int(self.P.country[i])
        line = Addr.street(
            ci, int(st[0]), int(st[1]), int(st[2]), abbrev=u() < abbrev, upper=(s == "erp" and u() < 0.3), ss=u() < 0.2
        )
        city = CITIES[cy][1]
        r = u()
        if r < 0.12:
            city = translit(city)
        elif r < 0.18:
            city = city.upper()
        if u() < 0.02:
            pc = ""
        return line, city, pc

    def birth(self, i: int, p_missing: float) -> int | None:
        u = self.u
        if u() < p_missing:
            return None
        b = int(self.P.birth[i])
        if u() < 0.01:  # day and month swapped (still a valid date)
            d = np.datetime64(START.isoformat(), "D") + b
            y, m, dd = str(d).split("-")
            if int(dd) <= 12 and dd != m:
                sw = np.datetime64(f"{y}-{dd}-{m}", "D")
                b = int((sw - np.datetime64(START.isoformat(), "D")).astype(int))
        return b


def _ts_in_day(u: U, days: np.ndarray, tz: np.ndarray, h0: float, h1: float) -> np.ndarray:
    """UTC epoch ms for a local clock time between h0 and h1 on each day offset."""
    local = np.array([h0 + (h1 - h0) * u() for _ in range(len(days))])
    ms = START_MS + np.asarray(days, dtype=np.int64) * DAY_MS + (local * 3_600_000).astype(np.int64)
    return ms - tz_offset_min(tz, ms) * 60_000


# ---------------------------------------------------------------------------------------- exports
CHUNK = 50_000


def write_masters(
    rng: np.random.Generator,
    P: People,
    ident: Identity,
    lake: Path,
    truth: Path,
    counts: Counts,
    defects: Defects,
    stores: Stores,
) -> None:
    """Write crm/contacts.csv, erp/customers.csv, shop/accounts.jsonl, pos/loyalty_members.csv,
    game/players.csv and truth/source_records.csv."""
    u = U(rng)
    V = Viewer(P, ident, u)
    byear = ((np.datetime64(START.isoformat(), "D") + P.birth).astype("datetime64[Y]").astype(int) + 1970).tolist()
    src = CsvOut(truth, "source_records.csv", ["source_system", "source_record_id", "person_id"], Counts())
    hist = HISTORY_DAYS - 1
    as_of_ms = START_MS + HISTORY_DAYS * DAY_MS - 1

    def records(s: str) -> np.ndarray:
        return np.flatnonzero(P.rec_day[s] <= hist)

    def modified(created_ms: np.ndarray) -> np.ndarray:
        span = np.maximum(as_of_ms - created_ms, 0)
        r = rng.random(len(created_ms))
        return np.where(r < 0.3, created_ms, created_ms + (rng.random(len(created_ms)) * span).astype(np.int64))

    def other_rec(s: str, i: int) -> str:
        r1, d1, _, _ = P.sys[s]
        if r1[i] >= 0 and d1[i] <= hist:
            return P.ids[s][r1[i]]
        return ""

    # ---------------------------------------------------------------- CRM
    s = "crm"
    recs = records(s)
    out = CsvOut(
        lake,
        "crm/contacts.csv",
        [
            "contactid",
            "firstname",
            "lastname",
            "emailaddress1",
            "telephone1",
            "mobilephone",
            "address1_line1",
            "address1_city",
            "address1_postalcode",
            "address1_country",
            "birthdate",
            "createdon",
            "modifiedon",
            "donotbulkemail",
            "new_erpcustomernumber",
        ],
        counts,
    )
    for ch in range(0, len(recs), CHUNK):
        rr = recs[ch : ch + CHUNK]
        per = P.rec_person[s][rr]
        cms = _ts_in_day(u, P.rec_day[s][rr], P.tz[per], 8, 18.5)
        cms_s, mod_s = iso_utc(cms), iso_utc(modified(cms))
        rows = []
        births = []
        for j, (r, i) in enumerate(zip(rr.tolist(), per.tolist(), strict=True)):
            cc = COUNTRIES[int(P.country[i])]
            f, la = V.names(i, s)
            line, city, pc = V.address(i, s)
            b = V.birth(i, 0.35)
            births.append(b)
            erp = other_rec("erp", i) if u() < 0.5 else ""
            rows.append(
                [
                    P.ids[s][r],
                    f,
                    la,
                    V.email(i, s),
                    V.phone(ident.land[i], [0.2, 0.35, 0.25, 0.1, 0.1], cc) if u() < 0.8 else "",
                    V.phone(ident.mobile[i], [0.3, 0.3, 0.2, 0.05, 0.15], cc) if u() < 0.7 else "",
                    line,
                    city,
                    pc,
                    cc,
                    "",
                    cms_s[j],
                    mod_s[j],
                    "0" if P.email_ok[r] else "1",
                    erp,
                ]
            )
        bd = ymd(np.array([b if b is not None else 0 for b in births]))
        for j, b in enumerate(births):
            rows[j][10] = bd[j] if b is not None else ""
        src.write([[s, P.ids[s][r], pid(i)] for r, i in zip(rr.tolist(), per.tolist(), strict=True)])
        _csv_defects(rng, out, rows, 0, {"bad_date": (10, "iso")}, defects)
    out.close()

    # ---------------------------------------------------------------- ERP
    s = "erp"
    recs = records(s)
    out = CsvOut(
        lake,
        "erp/customers.csv",
        ["KUNNR", "NAME1", "STRAS", "PSTLZ", "ORT01", "LAND1", "TELF1", "SMTP_ADDR", "GBDAT", "ERDAT", "AEDAT"],
        counts,
        delimiter=";",
    )
    for ch in range(0, len(recs), CHUNK):
        rr = recs[ch : ch + CHUNK]
        per = P.rec_person[s][rr]
        cday = P.rec_day[s][rr]
        mday = np.where(rng.random(len(rr)) < 0.4, cday, cday + (rng.random(len(rr)) * (hist - cday)).astype(int))
        er, ae = ymd(cday, ""), ymd(mday, "")
        rows = []
        births = []
        for j, (r, i) in enumerate(zip(rr.tolist(), per.tolist(), strict=True)):
            cc = COUNTRIES[int(P.country[i])]
            f, la = V.names(i, s)
            line, city, pc = V.address(i, s)
            ph = ident.land[i] if (ident.land[i] is not None and u() < 0.5) else ident.mobile[i]
            b = V.birth(i, 0.6)
            births.append(b)
            rows.append(
                [
                    P.ids[s][r],
                    f"{la.upper()}, {f}",
                    line,
                    pc,
                    city,
                    cc,
                    V.phone(ph, [0.1, 0.2, 0.35, 0.25, 0.1], cc),
                    V.email(i, s),
                    "",
                    er[j],
                    ae[j],
                ]
            )
        bd = ymd(np.array([b if b is not None else 0 for b in births]), "")
        for j, b in enumerate(births):
            rows[j][8] = bd[j] if b is not None else ("00000000" if u() < 0.5 else "")
        src.write([[s, P.ids[s][r], pid(i)] for r, i in zip(rr.tolist(), per.tolist(), strict=True)])
        _csv_defects(rng, out, rows, 0, {"bad_date": (8, "ymd")}, defects)
    out.close()

    # ---------------------------------------------------------------- web shop accounts
    s = "shop"
    recs = records(s)
    out = GzLinesPlain(lake, "shop/accounts.jsonl", counts)
    for ch in range(0, len(recs), CHUNK):
        rr = recs[ch : ch + CHUNK]
        per = P.rec_person[s][rr]
        cms = _ts_in_day(u, P.rec_day[s][rr], P.tz[per], 7, 23.5)
        c_s, m_s = iso_local(cms, P.tz[per]), iso_local(modified(cms), P.tz[per])
        lines, keys = [], []
        births = []
        objs = []
        for j, (r, i) in enumerate(zip(rr.tolist(), per.tolist(), strict=True)):
            cc = COUNTRIES[int(P.country[i])]
            f, la = V.names(i, s)
            ph = V.phone(ident.mobile[i], [0.5, 0.35, 0.1, 0.0, 0.05], cc) if u() < 0.7 else None
            b = V.birth(i, 0.4)
            births.append(b)
            if u() < 0.85:
                line, city, pc = V.address(i, s)
                addr = {"street": line, "city": city, "zip": pc or None, "country": cc}
            else:
                addr = None
            card = other_rec("pos", i) if u() < 0.45 else ""
            objs.append(
                {
                    "account_id": P.ids[s][r],
                    "email": V.email(i, s, required=True),
                    "first_name": f,
                    "last_name": la,
                    "phone": ph or None,
                    "birthday": None,
                    "default_address": addr,
                    "loyalty_card": card or None,
                    "newsletter": bool(u() < 0.45),
                    "created_at": c_s[j],
                    "updated_at": m_s[j],
                }
            )
        bd = ymd(np.array([b if b is not None else 0 for b in births]))
        bad = _pick_min1(rng, len(objs), 0.006)
        bad_vals = bad_date_values(rng, len(bad), "iso")
        for j, b in enumerate(births):
            objs[j]["birthday"] = bd[j] if b is not None else None
        for j, v in zip(bad.tolist(), bad_vals, strict=True):
            objs[j]["birthday"] = v
        defects.log(out.rel, [objs[j]["account_id"] for j in bad.tolist()], "bad_date")
        for o in objs:
            lines.append(json.dumps(o, ensure_ascii=False))
            keys.append(o["account_id"])
        taken = np.zeros(len(lines), dtype=bool)
        taken[bad] = True
        lines, dup, miss, broken = line_defects(rng, lines, keys, "account_id", 0.005, 0.005, 0.006, taken)
        base = out.lines
        out.write(lines)
        defects.log(out.rel, dup, "duplicate_record")
        defects.log(out.rel, [f"line:{base + k + 1}" for k in miss], "missing_key")
        defects.log(out.rel, [f"line:{base + k + 1}" for k in broken], "broken_json")
        src.write([[s, P.ids[s][r], pid(i)] for r, i in zip(rr.tolist(), per.tolist(), strict=True)])
    out.close()

    # ---------------------------------------------------------------- loyalty members
    s = "pos"
    recs = records(s)
    out = CsvOut(
        lake,
        "pos/loyalty_members.csv",
        [
            "card_id",
            "first_name",
            "last_name",
            "email",
            "mobile",
            "zip",
            "birth_date",
            "enrolled_on",
            "home_store_id",
            "opt_in_sms",
        ],
        counts,
    )
    for ch in range(0, len(recs), CHUNK):
        rr = recs[ch : ch + CHUNK]
        per = P.rec_person[s][rr]
        enr = dmy(P.rec_day[s][rr])
        rows = []
        births = []
        for j, (r, i) in enumerate(zip(rr.tolist(), per.tolist(), strict=True)):
            cc = COUNTRIES[int(P.country[i])]
            f, la = V.names(i, s)
            _, _, pc = V.address(i, s)
            b = V.birth(i, 0.25)
            births.append(b)
            rows.append(
                [
                    P.ids[s][r],
                    f,
                    la,
                    V.email(i, s),
                    V.phone(ident.mobile[i], [0.1, 0.2, 0.4, 0.1, 0.1, 0.1], cc) if u() < 0.85 else "",
                    pc,
                    "",
                    enr[j],
                    stores.ids[int(P.home_store[i])],
                    "Y" if P.sms_ok[r] else "N",
                ]
            )
        bd = dmy(np.array([b if b is not None else 0 for b in births]))
        for j, b in enumerate(births):
            rows[j][6] = bd[j] if b is not None else ""
        src.write([[s, P.ids[s][r], pid(i)] for r, i in zip(rr.tolist(), per.tolist(), strict=True)])
        _csv_defects(rng, out, rows, 0, {"bad_date": (7, "dmy"), "unknown_store": (8, None)}, defects)
    out.close()

    # ---------------------------------------------------------------- game players
    s = "game"
    recs = records(s)
    out = CsvOut(
        lake, "game/players.csv", ["player_id", "gamer_tag", "email", "country", "birth_year", "created_at"], counts
    )
    for ch in range(0, len(recs), CHUNK):
        rr = recs[ch : ch + CHUNK]
        per = P.rec_person[s][rr]
        cms = _ts_in_day(u, P.rec_day[s][rr], P.tz[per], 9, 24)
        c_s = iso_utc(cms)
        rows = []
        births = []
        for j, (r, i) in enumerate(zip(rr.tolist(), per.tolist(), strict=True)):
            cc = COUNTRIES[int(P.country[i])]
            x = u()
            if x < 0.35:
                tag = f"{ascii_local(P.first[i])}_{ascii_local(P.last[i])[:3]}{u.int(1, 99)}"
            elif x < 0.5:
                tag = f"{ascii_local(P.first[i]).capitalize()}{byear[i] % 100:02d}"
            else:
                tag = f"{u.choice(GAMER_ADJ)}{u.choice(GAMER_NOUN)}{u.int(1, 999)}"
            b = V.birth(i, 0.2)
            births.append(b)
            rows.append([P.ids[s][r], tag, V.email(i, s), cc, "", c_s[j]])
        bd = ymd(np.array([b if b is not None else 0 for b in births]))
        for j, b in enumerate(births):
            rows[j][4] = bd[j][:4] if b is not None else ""
        src.write([[s, P.ids[s][r], pid(i)] for r, i in zip(rr.tolist(), per.tolist(), strict=True)])
        _csv_defects(rng, out, rows, 0, {"bad_date": (5, "isoz")}, defects)
    out.close()
    src.close()


def pid(i: int) -> str:
    return f"PRS-{i + 1:07d}"


def _pick_min1(rng: np.random.Generator, n: int, p: float, taken: np.ndarray | None = None) -> np.ndarray:
    """Rows hit with probability p, at least one when n > 20 (so small samples still show each defect)."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    hit = rng.random(n) < p
    if n > 20 and not hit.any():
        hit[int(rng.integers(0, n))] = True
    if taken is not None:
        hit &= ~taken
        taken |= hit
    return np.flatnonzero(hit)


def _csv_defects(
    rng: np.random.Generator, out: CsvOut, rows: list[list], key_col: int, field_defects: dict, defects: Defects
) -> None:
    """Apply value defects, then duplicate and key-less copies, write the rows, log everything."""
    n = len(rows)
    taken = np.zeros(n, dtype=bool)
    for name, (col, fmt) in field_defects.items():
        idx = _pick_min1(rng, n, 0.006, taken)
        if name == "bad_date":
            vals = bad_date_values(rng, len(idx), fmt)
        else:  # unknown_store
            vals = [f"S{900 + int(x):03d}" for x in rng.integers(0, 99, len(idx))]
        for j, v in zip(idx.tolist(), vals, strict=True):
            rows[j][col] = v
        defects.log(out.rel, [rows[j][key_col] for j in idx.tolist()], name)
    dup = _pick_min1(rng, n, 0.005, taken)
    miss = _pick_min1(rng, n, 0.004, taken)
    kind = {j: 0 for j in dup.tolist()}
    kind.update({j: 1 for j in miss.tolist()})
    final: list[list] = []
    prev = 0
    miss_lines = []
    for j in sorted(kind):
        final.extend(rows[prev : j + 1])
        if kind[j] == 0:
            final.append(list(rows[j]))
        else:
            r = list(rows[j])
            r[key_col] = ""
            final.append(r)
            miss_lines.append(out.lines + len(final))  # physical line number (header is line 1)
        prev = j + 1
    final.extend(rows[prev:])
    defects.log(out.rel, [rows[j][key_col] for j in dup.tolist()], "duplicate_record")
    defects.log(out.rel, [f"line:{k}" for k in miss_lines], "missing_key")
    out.write(final)


class GzLinesPlain:
    """Uncompressed JSON-lines file with the same interface as GzLines."""

    def __init__(self, root: Path, rel: str, counts: Counts):
        self.rel = rel
        self.counts = counts
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(p, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.lines = 0
        counts.add(rel, 0)

    def write(self, lines: list[str]) -> None:
        if lines:
            self._f.write("\n".join(lines) + "\n")
            self.lines += len(lines)
            self.counts.add(self.rel, len(lines))

    def close(self) -> None:
        self._f.close()
