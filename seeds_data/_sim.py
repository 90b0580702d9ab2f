"""Day-by-day behaviour simulation, vectorised over all people, streaming every day's events to the lake."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from ._campaigns import Campaigns
from ._common import (
    DAY_MS,
    FUTURE_DAYS,
    HISTORY_DAYS,
    MAX_FUTURE_DAYS,
    START_MS,
    TRUTH_HORIZONS,
    TZ_STD_MIN,
    Background,
    Counts,
    CsvOut,
    Defects,
    GzLines,
    bad_date_values,
    csv_text,
    day_date,
    decode,
    hexids,
    iso_local,
    iso_utc,
    line_defects,
    money,
    pick,
    tz_offset_min,
    uuid4s,
)
from ._people import People
from ._reference import Geo, Products, Stores, ip_in, ip_str, unlisted_ips
from ._vocab import (
    CATEGORIES,
    CHANNELS,
    CURRENCIES,
    EUR_PER_UNIT,
    GAMES,
    IAP_ITEMS,
    PLATFORMS,
    SHIPPING,
    USER_AGENTS,
)

C = len(CATEGORIES)
CANCEL_P = 0.04
L_EXTRA_MEAN = 0.55
L_MAX = 5
EUR_RATE = np.array([EUR_PER_UNIT[c] for c in CURRENCIES])
SEK = CURRENCIES.index("SEK")
WEB_HOURS = np.array(
    [
        1.0,
        0.6,
        0.35,
        0.25,
        0.25,
        0.4,
        0.8,
        1.4,
        1.9,
        2.1,
        2.3,
        2.4,
        2.8,
        2.6,
        2.4,
        2.4,
        2.6,
        3.0,
        3.6,
        4.2,
        4.6,
        4.1,
        3.0,
        1.9,
    ]
)
GAME_HOURS = np.array(
    [
        1.5,
        0.8,
        0.4,
        0.2,
        0.1,
        0.1,
        0.2,
        0.4,
        0.6,
        0.8,
        1.0,
        1.2,
        1.4,
        1.5,
        1.6,
        1.9,
        2.4,
        3.0,
        3.5,
        4.2,
        4.8,
        4.6,
        3.6,
        2.4,
    ]
)
STORE_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1.2, 1.6, 2.0, 2.6, 2.4, 2.0, 2.0, 2.4, 2.9, 2.6, 1.6, 0.6, 0, 0, 0], dtype=float
)
ERP_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0.3, 1.5, 2.4, 2.6, 2.4, 1.2, 1.8, 2.4, 2.2, 1.7, 0.9, 0.3, 0, 0, 0, 0, 0], dtype=float
)
# event type codes
PV, PRV, OIMP, OCLK, ATC, PUR = range(6)
TYPE_NAMES = ["page_view", "product_view", "offer_impression", "offer_click", "add_to_cart", "purchase"]


def _lpmf() -> np.ndarray:
    """P(L = k), k = 1..L_MAX: basket size 1 + min(Poisson(0.55), L_MAX - 1)."""
    from math import exp, factorial

    p = [exp(-L_EXTRA_MEAN) * L_EXTRA_MEAN**k / factorial(k) for k in range(L_MAX - 1)]
    p.append(1 - sum(p))
    return np.array(p)


L_PMF = _lpmf()


def season_curve() -> np.ndarray:
    month_f = [0.85, 0.8, 0.9, 0.9, 0.95, 0.9, 0.78, 0.78, 0.95, 1.0, 1.3, 1.6]
    out = np.empty(HISTORY_DAYS + MAX_FUTURE_DAYS + 40)
    for d in range(len(out)):
        dt = day_date(d)
        f = month_f[dt.month - 1] * [0.95, 0.95, 0.97, 1.0, 1.05, 1.15, 0.95][dt.weekday()]
        if dt.month == 11:
            first_fri = 1 + (4 - day_date(d - dt.day + 1).weekday()) % 7
            bf = first_fri + 21
            if bf <= dt.day <= bf + 3:
                f *= 1.8
        if dt.month == 12 and 10 <= dt.day <= 22:
            f *= 1.2
        if dt.month == 12 and 24 <= dt.day <= 26:
            f *= 0.5
        out[d] = f
    return out


def _local_time_ms(rng, n: int, weights: np.ndarray) -> np.ndarray:
    cw = np.cumsum(weights)
    cw /= cw[-1]
    h = np.searchsorted(cw, rng.random(n), side="right")
    return (h * 3600_000 + rng.random(n) * 3600_000).astype(np.int64)


# UTC offset (minutes) of every time zone at noon UTC of every simulated day
_NOON_DAYS = HISTORY_DAYS + MAX_FUTURE_DAYS + 40
_NOON_OFF = tz_offset_min(
    np.repeat(np.arange(len(TZ_STD_MIN)), _NOON_DAYS),
    np.tile(START_MS + np.arange(_NOON_DAYS) * DAY_MS + 12 * 3600_000, len(TZ_STD_MIN)),
).reshape(len(TZ_STD_MIN), _NOON_DAYS)


def _utc_from_local(d: int, local_ms: np.ndarray, tz: np.ndarray) -> np.ndarray:
    """Instants within UTC day d whose local clock time (offset at noon of that day) is `local_ms`;
    activity is generated per UTC day, so local times wrap around the UTC day boundary."""
    return START_MS + d * DAY_MS + (local_ms - _NOON_OFF[tz, d] * 60_000) % DAY_MS


def ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + l) for each (s, l)."""
    lens = np.asarray(lens, dtype=np.int64)
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.concatenate([[0], np.cumsum(lens)[:-1]])
    return np.repeat(np.asarray(starts, dtype=np.int64) - offs, lens) + np.arange(total)


def seg_pos(lens: np.ndarray) -> np.ndarray:
    """Position within its segment for each element of segments of the given lengths."""
    lens = np.asarray(lens, dtype=np.int64)
    return ranges(np.zeros(len(lens), dtype=np.int64), lens)


def _segment_first(owner: np.ndarray, k: int) -> np.ndarray:
    """For sorted owner ids 0..k-1 (each present), the index of each owner's first element."""
    return np.searchsorted(owner, np.arange(k))


class Sim:
    def __init__(
        self,
        rng: np.random.Generator,
        P: People,
        prods: Products,
        stores: Stores,
        geo: Geo,
        cp: Campaigns,
        lake: Path,
        counts: Counts,
        defects: Defects,
        bg: Background,
        verbose: bool,
        future_days: int = FUTURE_DAYS,
    ):
        self.rng, self.P, self.prods, self.stores, self.geo, self.cp = rng, P, prods, stores, geo, cp
        self.lake, self.counts, self.defects, self.bg, self.verbose = lake, counts, defects, bg, verbose
        n = P.n
        if not FUTURE_DAYS <= future_days <= MAX_FUTURE_DAYS:  # the 90 and 180 days truth is always written
            raise ValueError(f"future_days must be between {FUTURE_DAYS} and {MAX_FUTURE_DAYS}; got {future_days}")
        self.total_days = HISTORY_DAYS + future_days
        self.horizons = tuple(h for h in TRUTH_HORIZONS if h <= future_days)
        self.season = season_curve()
        self.alive = np.ones(n, dtype=bool)
        self.customer = np.zeros(n, dtype=bool)
        self.last_buy = np.full(n, -(10**6), dtype=np.int64)
        self.bought = np.zeros((n, C), dtype=np.int16)
        # truth per horizon h: completed spend and whether anything was bought in days 1..h after the as-of date
        self.spend_next = {h: np.zeros(n) for h in self.horizons}
        self.bought_next = {h: np.zeros(n, dtype=bool) for h in self.horizons}
        self.hist_spend = np.zeros(n)
        # what the retailer knew before the lake's history starts (for campaign targeting only): people
        # who joined earlier bought categories according to their affinities, the last time a while ago
        prior_days = np.clip(-P.join, 0, 730)
        prior = rng.poisson((P.lam * prior_days * 1.5)[:, None] * P.pref)
        self.bought += np.minimum(prior, 50).astype(np.int16)
        known = prior.sum(1) > 0
        gap = np.minimum(rng.exponential(1 / np.maximum(P.lam, 1e-4)), prior_days).astype(np.int64)
        self.last_buy[known] = -1 - gap[known]
        self.known_customer = known
        nck = len(P.ck_num)
        self.ck_logged = np.zeros(nck, dtype=bool)
        self.ck_used = np.zeros(nck, dtype=bool)
        self.ncookie = np.diff(P.ck_off)
        self.active_offer = np.full(n, -1, dtype=np.int64)
        self.offer_until = np.full(n, -1, dtype=np.int64)
        self.windows: list[dict] = []
        self.clicks: dict[int, list[tuple]] = {}
        self.uplift_rows: list[list] = []
        self.campaign_stats: dict[str, dict] = {}
        self.web_seq = 0
        self.erp_seq = 0
        self.exp_seq = 0
        self._launch_cache = (-1, None)
        self.orders_out: GzLines | None = None
        self.orders_month = ""
        self.erp_h = CsvOut(
            lake, "erp/sales_orders.csv", ["VBELN", "KUNNR", "AUDAT", "ERZET", "WAERK", "NETWR"], counts, delimiter=";"
        )
        self.erp_l = CsvOut(
            lake,
            "erp/sales_order_lines.csv",
            ["VBELN", "POSNR", "MATNR", "KWMENG", "VRKME", "NETPR", "NETWR", "WAERK"],
            counts,
            delimiter=";",
        )
        self.expo = GzLines(
            lake,
            "marketing/exposures.csv.gz",
            bg,
            counts,
            header="exposure_id,campaign_id,offer_id,recipient_type,recipient_id,group,assigned_at,sent_at,clicked_at",
        )
        # lookup tables for fast string building
        self.sku_frag = [f'"{s}"' for s in prods.sku]
        self.url_table = (
            ["/"]
            + [f"/c/{c}" for c in CATEGORIES]
            + [f"/p/{s}" for s in prods.sku]
            + [f"/offers/{o}" for o in cp.offer_ids]
            + ["/checkout/confirmation", "/cart"]
        )
        self.URL_CAT0 = 1
        self.URL_P0 = 1 + C
        self.URL_O0 = 1 + C + len(prods.sku)
        self.URL_CONF = self.URL_O0 + len(cp.offer_ids)
        self.offer_frag = [f'"{o}"' for o in cp.offer_ids]
        self.utm_frag = [
            f'{{"campaign": "{cp.ids[c]}", "source": "{CHANNELS[cp.channel[c]][1]}", '
            f'"medium": "{CHANNELS[cp.channel[c]][2]}"}}'
            for c in range(len(cp.ids))
        ]
        self.sku_tbl = np.array(self.sku_frag + ["null"], dtype=object)
        self.offer_tbl = np.array(self.offer_frag + ["null"], dtype=object)
        self.utm_tbl = np.array(self.utm_frag + ["null"], dtype=object)
        self.url_tbl = np.array(self.url_table, dtype=object)
        self.type_tbl = np.array(TYPE_NAMES, dtype=object)
        self.ua_tbl = np.array(USER_AGENTS, dtype=object)
        # unknown ids used by the defects (never in the reference data)
        self.fake_sku = [f"SKU-{x:05d}" for x in rng.choice(np.arange(90000, 99999), 40, replace=False).tolist()]
        self.fake_store = [f"S{x:03d}" for x in range(901, 921)]
        self.plain_sku_tbl = np.array(prods.sku + self.fake_sku, dtype=object)
        self.store_tbl = np.array(stores.ids + self.fake_store, dtype=object)
        self.cur_tbl = np.array(CURRENCIES + ["XXX"], dtype=object)
        self.t0 = time.time()

    # ------------------------------------------------------------------------------------------ helpers
    def launched(self, d: int):
        if self._launch_cache[0] != d:
            key = int((self.prods.launched <= d).sum())
            if self._launch_cache[1] is None or self._launch_cache[1][0] != key:
                self._launch_cache = (d, (key, *self.prods.launched_by_cat(d)))
            else:
                self._launch_cache = (d, self._launch_cache[1])
        return self._launch_cache[1][1:]

    def pick_products(self, d: int, persons: np.ndarray, cats: np.ndarray, q: np.ndarray | None = None):
        order, cstart, ccount = self.launched(d)
        if q is None:
            q = self.rng.random(len(persons)) ** (0.6 + 2.0 * self.P.price_sens[persons])
        k = np.minimum((q * ccount[cats]).astype(np.int64), ccount[cats] - 1)
        return order[cstart[cats] + k]

    def sample_cats(self, persons: np.ndarray) -> np.ndarray:
        u = self.rng.random(len(persons)).astype(np.float32)
        return np.minimum((self.P.pref_cum[persons] < u[:, None]).sum(1), C - 1)

    def rec_at(self, sysname: str, persons: np.ndarray, d: int, second: np.ndarray | None = None) -> np.ndarray:
        """Record index of each person in a system on day d (-1 if none yet); `second` prefers the 2nd."""
        r1, d1, r2, d2 = self.P.sys[sysname]
        a = np.where(d1[persons] <= d, r1[persons], -1)
        has2 = d2[persons] <= d
        if second is not None:
            a = np.where(has2 & second, r2[persons], a)
        return a

    def ips(self, persons: np.ndarray) -> np.ndarray:
        rng = self.rng
        r = rng.random(len(persons))
        ip = self.P.home_ip[persons].copy()
        mob = r < 0.3
        if mob.any():
            ip[mob] = ip_in(rng, self.geo, self.P.mobile_net[persons[mob]])
        unl = r > 0.98
        if unl.any():
            ip[unl] = unlisted_ips(rng, int(unl.sum()))
        return ip

    # ---------------------------------------------------------------------------------------- main loop
    def run(self) -> None:
        rows_last = 0
        t_last = time.time()
        for d in range(self.total_days):
            self.day(d)
            dt = day_date(d + 1)
            if self.verbose and (dt.day == 1 or d == self.total_days - 1):
                rows = sum(self.counts.rows.values())
                now = time.time()
                print(
                    f"[generate] {day_date(d)} day {d + 1}/{self.total_days} lake rows {rows:,} "
                    f"({(rows - rows_last) / max(now - t_last, 1e-9):,.0f} rows/s, "
                    f"{rows / max(now - self.t0, 1e-9):,.0f} overall)",
                    file=sys.stderr,
                    flush=True,
                )
                rows_last, t_last = rows, now
        if self.orders_out:
            self.orders_out.close()
        self.erp_h.close()
        self.erp_l.close()
        self.expo.close()

    def day(self, d: int) -> None:
        P, rng = self.P, self.rng
        write = d < HISTORY_DAYS
        joined = P.join <= d
        die = joined & self.alive & (rng.random(P.n) < P.mu)
        self.alive &= ~die
        if write:
            for c in np.flatnonzero(self.cp.start == d).tolist():
                self.assign(c, d)
        self.windows = [w for w in self.windows if w["end"] >= d]
        pur = self.purchases(d, joined)
        if write:
            self.web(d, pur)
            self.pos(d, pur)
            self.erp(d, pur)
        self.game(d, write)

    # ------------------------------------------------------------------------------------- purchases
    def add_future(self, d: int, buyers: np.ndarray, eur: np.ndarray) -> None:
        """Truth after the as-of date: completed purchases on day d count for every horizon that reaches d."""
        after = d - (HISTORY_DAYS - 1)  # 1 = the as-of date itself (2026-10-01)
        for h, spend in self.spend_next.items():
            if after <= h:
                np.add.at(spend, buyers, eur)
                self.bought_next[h][buyers] = True

    @property
    def spend90(self) -> np.ndarray:
        return self.spend_next[90]

    @property
    def spend180(self) -> np.ndarray:
        return self.spend_next[180]

    def purchases(self, d: int, joined: np.ndarray) -> dict:
        P, rng, cp = self.P, self.rng, self.cp
        p = np.minimum(P.lam * self.season[d], 0.5)
        buyers = np.flatnonzero((rng.random(P.n) < p) & joined & self.alive)
        camp = [np.full(len(buyers), -1)]
        extra = [buyers]
        for w in self.windows:
            if w["start"] <= d:
                hit = (rng.random(len(w["persons"])) < w["h"]) & self.alive[w["persons"]]
                extra.append(w["persons"][hit])
                camp.append(np.full(int(hit.sum()), w["c"]))
        buyers = np.concatenate(extra)
        camp = np.concatenate(camp)
        k = len(buyers)
        # channel
        acc_ok = P.sys["shop"][1][buyers] <= d
        erp_ok = P.sys["erp"][1][buyers] <= d
        w = P.chw[buyers] * np.stack([acc_ok, np.ones(k, bool), erp_ok], 1)
        cw = np.cumsum(w, 1)
        cw /= cw[:, -1:]
        ch = (rng.random(k)[:, None] >= cw).sum(1)
        # lines
        L = 1 + np.minimum(rng.poisson(L_EXTRA_MEAN, k), L_MAX - 1)
        owner = np.repeat(np.arange(k), L)
        first = (np.cumsum(L) - L).astype(np.int64)
        lp = buyers[owner]
        cat = self.sample_cats(lp)
        forced = np.flatnonzero(camp >= 0)
        fl = first[forced]
        cat[fl] = cp.cat[camp[forced]]
        q = rng.random(len(lp)) ** (0.6 + 2.0 * P.price_sens[lp])
        up = fl[np.array([cp.ctype[c] == "upsell" for c in camp[forced].tolist()], dtype=bool)]
        q[up] = 0.65 + 0.35 * rng.random(len(up))
        prod = self.pick_products(d, lp, cat, q)
        po = cp.offer_prod[camp[forced]]
        prod[fl[po >= 0]] = po[po >= 0]
        lch = ch[owner]
        qty = np.where(rng.random(len(lp)) < self.prods.multi[cat], 2 + rng.poisson(0.3, len(lp)), 1)
        qty = np.where(lch == 2, 1 + rng.poisson(2.0, len(lp)), qty)
        cur = P.cur[lp]
        unit = self.prods.price[prod, cur]
        unit = np.where(lch == 2, np.round(unit * 0.88).astype(np.int64), unit)
        disc = np.zeros(len(lp), dtype=np.int64)
        # POS promotions
        promo = (lch == 1) & (rng.random(len(lp)) < 0.06)
        disc[promo] = np.round(qty[promo] * unit[promo] * rng.choice([0.1, 0.2], int(promo.sum()))).astype(np.int64)
        # web offers: campaign-driven orders redeem their campaign's offer, others an active offer they got
        offer = np.full(k, -1)
        valid = (camp >= 0) & (ch == 0)
        if valid.any():
            cc = camp[valid]
            ok = (cp.start[cc] <= d) & (cp.end[cc] >= d) & (rng.random(len(cc)) < 0.75)
            offer[np.flatnonzero(valid)[ok]] = cc[ok]
        org = (camp < 0) & (ch == 0)
        if org.any():
            ao = self.active_offer[buyers[org]]
            ok = (ao >= 0) & (self.offer_until[buyers[org]] >= d) & (rng.random(int(org.sum())) < 0.3)
            offer[np.flatnonzero(org)[ok]] = ao[ok]
        lo = offer[owner]
        match = (lo >= 0) & np.where(cp.offer_prod[lo] >= 0, prod == cp.offer_prod[lo], cat == cp.cat[lo])
        disc[match] = np.round(qty[match] * unit[match] * cp.offer_pct[lo[match]] / 100.0).astype(np.int64)
        used = np.zeros(k, dtype=bool)
        used[owner[match]] = True
        offer[~used] = -1
        value_line = qty * unit - disc
        value = np.bincount(owner, weights=value_line, minlength=k).astype(np.int64)
        cancelled = (ch == 0) & (rng.random(k) < CANCEL_P)
        done = ~cancelled
        eur = value * EUR_RATE[P.cur[buyers]] / 100.0
        # BG/NBD-style dropout: after a completed purchase a customer leaves for good with probability p_drop
        b = buyers[done]
        self.alive[b[rng.random(len(b)) < P.p_drop[b]]] = False
        # state
        hist = HISTORY_DAYS - 1
        if d <= hist:
            b = buyers[done]
            self.customer[b] = True
            self.known_customer[b] = True
            self.last_buy[b] = d
            np.add.at(self.hist_spend, b, eur[done])
            okl = done[owner]
            np.add.at(self.bought, (lp[okl], cat[okl]), 1)
            self.track_conversions(d, lp[okl], cat[okl])
        else:
            self.add_future(d, buyers[done], eur[done])
        return dict(
            buyers=buyers,
            camp=camp,
            ch=ch,
            L=L,
            owner=owner,
            first=first,
            cat=cat,
            prod=prod,
            qty=qty,
            unit=unit,
            disc=disc,
            value=value,
            offer=offer,
            cancelled=cancelled,
            cur=P.cur[buyers],
            value_line=value_line,
        )

    def track_conversions(self, d: int, persons: np.ndarray, cats: np.ndarray) -> None:
        for w in self.windows:
            if w["start"] <= d <= w["start"] + 29:
                who = persons[cats == w["cat"]]
                if len(who):
                    w["conv"] |= np.isin(w["aud"], who)

    # ------------------------------------------------------------------------------------- campaigns
    def assign(self, c: int, d: int) -> None:
        P, rng, cp = self.P, self.rng, self.cp
        ch = cp.channel[c]
        sysname = {"email": "crm", "sms": "pos", "display": "shop", "social": "shop", "in_game": "game"}[ch]
        allp = np.arange(P.n)
        rec = self.rec_at(sysname, allp, d)
        ok = rec >= 0
        consent = {"email": P.email_ok, "sms": P.sms_ok}.get(ch)
        if consent is not None:  # e-mail only without opt-out, SMS only with opt-in
            ok &= consent[np.maximum(rec, 0)] if len(consent) else False
        t, tc = cp.ctype[c], int(cp.cat[c])
        if t == "upsell":
            ok &= self.bought[:, tc] > 0
        elif t == "cross_sell":
            ok &= self.known_customer & (self.bought[:, tc] == 0)
        elif t == "retention":
            ok &= self.known_customer & (self.last_buy <= d - 60)
        else:
            ok &= ~self.known_customer
        elig = np.flatnonzero(ok)
        aud = elig[rng.random(len(elig)) < cp.share[c]]
        m = len(aud)
        hold = rng.random(m) < cp.holdout[c]
        # heterogeneous response (observable drivers, so uplift models have something to find)
        ps = P.price_sens[aud]
        if t == "upsell":
            x = 1.4 * (0.5 - ps)
        elif t == "cross_sell":
            x = 4.0 * (P.pref[aud, tc] - P.pref[aud, tc].mean()) if m else np.zeros(0)
        elif t == "retention":
            x = 1.4 * (ps - 0.5)
        else:
            x = np.zeros(m)
        resp = np.exp(x + rng.normal(0, 0.3, m))
        if m:
            resp /= resp.mean()
        h = np.minimum(-np.log1p(-cp.strength[c]) / 30.0 * resp, 0.2)
        treated = aud[~hold]
        # truth: conversion probabilities over the 30 days from assignment, from the simulation's own rates
        base, treat = self.conversion_probs(aud, d, tc, h)
        self.uplift_rows.append(
            [cp.ids[c], float(np.mean(treat - base)) if m else 0.0, float(np.mean(base)) if m else 0.0]
        )
        self.windows.append(
            dict(
                c=c,
                cat=tc,
                start=d,
                end=d + 29,
                persons=treated,
                h=h[~hold],
                aud=aud,
                hold=hold,
                conv=np.zeros(m, dtype=bool),
            )
        )
        self.campaign_stats[cp.ids[c]] = dict(audience=int(m), holdout=int(hold.sum()), window=self.windows[-1])
        self.active_offer[treated] = c
        self.offer_until[treated] = cp.end[c]
        # exposure rows
        day0 = START_MS + d * DAY_MS
        assigned = day0 + int(rng.integers(6 * 3600_000, 10 * 3600_000))
        if ch in ("email", "sms"):
            sent = assigned + (rng.uniform(0.3, 6.0, m) * 3600_000).astype(np.int64)
        elif ch == "in_game":
            sent = assigned + (rng.exponential(1.5, m) * DAY_MS).astype(np.int64)
        else:
            sent = assigned + (rng.exponential(1.2, m) * DAY_MS).astype(np.int64)
        end_ms = START_MS + (int(cp.end[c]) + 1) * DAY_MS - 1
        sent = np.minimum(sent, end_ms)
        click = (~hold) & (rng.random(m) < cp.ctr[c] * np.where(self.alive[aud], 1.0, 0.4) * (0.5 + resp / 2))
        cms = sent + (rng.exponential(0.7, m) * DAY_MS).astype(np.int64) + 60_000
        tod = (cms - START_MS) % DAY_MS
        cms = np.where(tod > 21 * 3600_000, cms - 6 * 3600_000, cms)
        click &= cms < START_MS + HISTORY_DAYS * DAY_MS
        recipient = P.ids[sysname].take(rec[aud])
        ids = [f"EX-{x:08d}" for x in range(self.exp_seq + 1, self.exp_seq + m + 1)]
        self.exp_seq += m
        a_s = iso_utc(np.full(m, assigned))
        s_s = iso_utc(sent)
        c_s = iso_utc(cms)
        rtype = CHANNELS[ch][0]
        rows = [
            [
                ids[j],
                cp.ids[c],
                cp.offer_ids[c],
                rtype,
                recipient[j],
                "holdout" if hold[j] else "treatment",
                a_s[j],
                "" if hold[j] else s_s[j],
                c_s[j] if click[j] else "",
            ]
            for j in range(m)
        ]
        # clicks become web visits on the click day
        for j in np.flatnonzero(click).tolist():
            cd = int((cms[j] - START_MS) // DAY_MS)
            self.clicks.setdefault(cd, []).append((int(aud[j]), c, int(cms[j])))
        # defects: bad dates, duplicates, rows without key
        rel = self.expo.rel
        taken = np.zeros(m, dtype=bool)
        bad = pick(rng, m, 0.004, taken)
        for j, v in zip(bad.tolist(), bad_date_values(rng, len(bad), "isoz"), strict=True):
            rows[j][6] = v
        self.defects.log(rel, [ids[j] for j in bad.tolist()], "bad_date")
        final = self._dup_miss(rel, rows, ids, 0.004, 0.003, taken, 1 + self.expo.lines)
        self.expo.write(csv_text(final).split("\n")[:-1] if final else [])

    def conversion_probs(self, aud: np.ndarray, d: int, tc: int, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(completed purchase containing category tc within 30 days of assignment), holdout vs treated."""
        P = self.P
        base_out, treat_out = [], []
        days = d + np.arange(30)
        season = self.season[days]
        for s in range(0, len(aud), 100_000):
            a = aud[s : s + 100_000]
            hh = h[s : s + 100_000]
            joined = P.join[a][:, None] <= days[None, :]
            p = np.minimum(P.lam[a][:, None] * season[None, :], 0.5) * joined
            acc_ok = P.sys["shop"][1][a] <= d
            erp_ok = P.sys["erp"][1][a] <= d
            w = P.chw[a] * np.stack([acc_ok, np.ones(len(a), bool), erp_ok], 1)
            w_web = w[:, 0] / w.sum(1)
            pi = P.pref[a, tc]
            g = sum(L_PMF[k - 1] * (1 - (1 - pi) ** k) for k in range(1, L_MAX + 1))
            keep = (1 - CANCEL_P * w_web)[:, None]
            ao = p * g[:, None] * keep
            bo = np.broadcast_to(hh[:, None] * keep, ao.shape)
            # survival to day t: background hazard, and leaving after a (non-converting) purchase on day t-1
            nonconv = p * (1 - g)[:, None] * keep
            f = (1 - P.mu[a][:, None] * joined[:, 1:]) * (1 - nonconv[:, :-1] * P.p_drop[a][:, None])
            surv = np.concatenate([np.ones((len(a), 1)), np.cumprod(f, axis=1)], axis=1)
            alive = self.alive[a]

            def conv(r, surv=surv, alive=alive):
                none_before = np.cumprod(1 - r, axis=1)
                none_before = np.concatenate([np.ones((len(r), 1)), none_before[:, :-1]], axis=1)
                return alive * (surv * r * none_before).sum(1)

            base_out.append(conv(ao))
            treat_out.append(conv(1 - (1 - ao) * (1 - bo)))
        if not base_out:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(base_out), np.concatenate(treat_out)

    # ------------------------------------------------------------------------------------------- web
    def web(self, d: int, pur: dict) -> None:
        P, rng = self.P, self.rng
        day0 = START_MS + d * DAY_MS
        # --- sessions: (a) web orders, (b) organic browsing, (c) campaign clicks
        wo = np.flatnonzero(pur["ch"] == 0)  # purchase indices of web orders
        n_o = len(wo)
        o_person = pur["buyers"][wo]
        browse_p = (
            P.browse * self.season[d] * np.where(self.alive, np.where(P.join <= d, 1.0, 0.3), 0.15) * P.web_active
        )
        b_person = np.flatnonzero(rng.random(P.n) < browse_p)
        clicks = self.clicks.pop(d, [])
        c_person = np.array([x[0] for x in clicks], dtype=np.int64)
        c_camp = np.array([x[1] for x in clicks], dtype=np.int64)
        c_ts = np.array([x[2] for x in clicks], dtype=np.int64)
        person = np.concatenate([o_person, b_person, c_person])
        S = len(person)
        kind = np.concatenate([np.zeros(n_o, int), np.ones(len(b_person), int), np.full(len(c_person), 2)])
        cookie = P.ck_off[person] + (rng.random(S) * self.ncookie[person]).astype(np.int64)
        self.ck_used[cookie] = True
        # shop account of the visitor on this cookie (a cookie may belong to the person's second account)
        acct = self.rec_at("shop", person, d, second=P.ck_acct2[cookie])
        utm = np.full(S, -1)
        oc = pur["camp"][wo]
        utm[:n_o] = np.where((oc >= 0) & (rng.random(n_o) < 0.6), oc, -1)
        utm[n_o + len(b_person) :] = c_camp
        land_offer = np.full(S, -1)
        land_offer[n_o + len(b_person) :] = c_camp
        ao = self.active_offer[person]
        has_offer = (ao >= 0) & (self.offer_until[person] >= d) & (kind != 2)
        imp = has_offer & (rng.random(S) < 0.5)
        imp_clk = imp & (rng.random(S) < 0.2)
        nb = np.where(
            kind == 0, 1 + rng.poisson(1.2, S), np.where(kind == 1, 1 + rng.poisson(1.8, S), 1 + rng.poisson(1.5, S))
        )
        aband = (kind == 1) & (rng.random(S) < 0.1)
        # order lines of purchase sessions
        L_o = pur["L"][wo]
        line_idx = ranges(pur["first"][wo], L_o)
        line_sess = np.repeat(np.arange(n_o), L_o)
        line_no = seg_pos(L_o)
        # --- events, block by block: (session, rank, type, product, offer, order(web order idx), url)
        blocks = []

        def add(sess, rank, typ, prod=None, offer=None, order=None, url=None):
            m = len(sess)
            blocks.append(
                (
                    sess,
                    rank,
                    np.full(m, typ) if np.isscalar(typ) else typ,
                    np.full(m, -1) if prod is None else prod,
                    np.full(m, -1) if offer is None else offer,
                    np.full(m, -1) if order is None else order,
                    url,
                )
            )

        s_all = np.arange(S)
        lo = land_offer >= 0
        land_url = np.where(
            lo, self.URL_O0 + land_offer, np.where(rng.random(S) < 0.7, 0, self.URL_CAT0 + self.sample_cats(person))
        )
        add(s_all, np.zeros(S, int), np.where(lo, OCLK, PV), None, np.where(lo, land_offer, -1), None, land_url)
        si = np.flatnonzero(imp)
        add(si, np.ones(len(si), int), OIMP, None, ao[si], None, np.zeros(len(si), int))
        sc = np.flatnonzero(imp_clk)
        add(sc, np.full(len(sc), 2), OCLK, None, ao[sc], None, self.URL_O0 + ao[sc])
        nbr = nb - 1
        sb = np.repeat(s_all, nbr)
        rank_b = 10 + seg_pos(nbr)
        pv = rng.random(len(sb)) < 0.75
        bcat = self.sample_cats(person[sb])
        bprod = self.pick_products(d, person[sb], bcat)
        add(
            sb,
            rank_b,
            np.where(pv, PRV, PV),
            np.where(pv, bprod, -1),
            None,
            None,
            np.where(pv, self.URL_P0 + bprod, self.URL_CAT0 + bcat),
        )
        sa = np.flatnonzero(aband)
        aprod = self.pick_products(d, person[sa], self.sample_cats(person[sa]))
        add(sa, np.full(len(sa), 90), ATC, aprod, None, None, self.URL_P0 + aprod)
        lprod = pur["prod"][line_idx]
        add(line_sess, 100 + 2 * line_no, PRV, lprod, None, None, self.URL_P0 + lprod)
        add(line_sess, 101 + 2 * line_no, ATC, lprod, None, None, self.URL_P0 + lprod)
        add(line_sess, 200 + line_no, PUR, lprod, None, line_sess, np.full(len(line_sess), self.URL_CONF))
        cols = [np.concatenate([b[i] for b in blocks]) for i in range(7)]
        e_sess, e_rank, e_type, e_prod, e_offer, e_order, e_url = cols
        o = np.lexsort((e_rank, e_sess))
        e_sess, e_type, e_prod, e_offer, e_order, e_url = (
            x[o] for x in (e_sess, e_type, e_prod, e_offer, e_order, e_url)
        )
        E = len(e_sess)
        first = _segment_first(e_sess, S)
        pos = np.arange(E) - first[e_sess]
        n_ev = np.diff(np.concatenate([first, [E]]))
        # login: persistent on a cookie that logged in before; purchase sessions log in before the cart
        first_cart = 1 + imp + imp_clk + nbr + aband
        login = np.full(S, 10**6)
        has_acct = acct >= 0
        already = has_acct & self.ck_logged[cookie]
        login[already] = 0
        new_po = has_acct & ~already & (kind == 0)
        login[new_po] = (rng.random(int(new_po.sum())) * (first_cart[new_po] + 1)).astype(np.int64)
        new_b = has_acct & ~already & (kind != 0) & (rng.random(S) < 0.3)
        login[new_b] = (rng.random(int(new_b.sum())) * n_ev[new_b]).astype(np.int64)
        self.ck_logged[cookie[login < 10**6]] = True
        # timestamps: session start (local time of day), gaps between events; sessions end within the day
        gaps = (2000 + rng.exponential(32000, E)).astype(np.int64)
        gaps[first] = 0
        cs = np.cumsum(gaps)
        off = cs - cs[first][e_sess]
        start = _utc_from_local(d, _local_time_ms(rng, S, WEB_HOURS), P.tz[person])
        start[kind == 2] = c_ts
        dur = off[first + n_ev - 1]
        start = np.minimum(start, day0 + DAY_MS - 1 - dur)
        start = np.maximum(start, day0)
        ts = start[e_sess] + off
        # orders get the time of their purchase events
        is_pur = e_type == PUR
        o_ts = np.full(n_o, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(o_ts, e_order[is_pur], ts[is_pur])
        ts[is_pur] = o_ts[e_order[is_pur]]
        s_ip = self.ips(person)
        # --- render the events
        ids = decode(uuid4s(rng, E))
        o2 = np.argsort(ts, kind="stable")
        ts_s = iso_utc(ts[o2], "ms")
        e_sess, e_type, e_prod, e_offer, e_order, e_url, pos = (
            x[o2] for x in (e_sess, e_type, e_prod, e_offer, e_order, e_url, pos)
        )
        # per-session strings, then object-array lookups (index -1 picks the trailing "null")
        ck_sess = np.array([f"ck-{x:016x}" for x in P.ck_num[cookie].tolist()], dtype=object)
        acc_sess = np.array([f'"{a}"' if a else "null" for a in P.ids["shop"].take(acct, "")] + ["null"], dtype=object)
        ip_sess = np.array(ip_str(s_ip), dtype=object)
        ck_s = ck_sess[e_sess].tolist()
        logged = pos >= login[e_sess]
        acc_s = acc_sess[np.where(logged, e_sess, -1)].tolist()
        ip_s = ip_sess[e_sess].tolist()
        ua_s = self.ua_tbl[P.ck_ua[cookie[e_sess]]].tolist()
        url_s = self.url_tbl[e_url].tolist()
        sku_s = self.sku_tbl[e_prod].tolist()
        off_s = self.offer_tbl[e_offer].tolist()
        oid = [f'"WS-{x:08d}"' for x in range(self.web_seq + 1, self.web_seq + n_o + 1)]
        ord_s = np.array(oid + ["null"], dtype=object)[e_order].tolist()
        utm_s = self.utm_tbl[utm[e_sess]].tolist()
        typ_s = self.type_tbl[e_type].tolist()
        rel = f"web/clickstream/dt={day_date(d).isoformat()}/events.jsonl.gz"
        bad = pick(rng, E, 0.002)
        taken = np.zeros(E, dtype=bool)
        taken[bad] = True
        for j, v in zip(bad.tolist(), bad_date_values(rng, len(bad), "isoz"), strict=True):
            ts_s[j] = v
        self.defects.log(rel, [ids[j] for j in bad.tolist()], "bad_date")
        lines = [
            f'{{"event_id": "{a}", "ts": "{b}", "type": "{c}", "cookie_id": "{e}", "account_id": {f}, '
            f'"ip": "{g}", "ua": "{h}", "url": "{i}", "sku": {j}, "offer_id": {k}, "order_id": {m}, "utm": {n}}}'
            for a, b, c, e, f, g, h, i, j, k, m, n in zip(
                ids, ts_s, typ_s, ck_s, acc_s, ip_s, ua_s, url_s, sku_s, off_s, ord_s, utm_s, strict=True
            )
        ]
        lines, dup, miss, broken = line_defects(rng, lines, ids, "event_id", 0.004, 0.003, 0.004, taken)
        out = GzLines(self.lake, rel, self.bg, self.counts)
        out.write(lines)
        out.close()
        self.defects.log(rel, dup, "duplicate_record")
        self.defects.log(rel, [f"line:{k + 1}" for k in miss], "missing_key")
        self.defects.log(rel, [f"line:{k + 1}" for k in broken], "broken_json")
        self.shop_orders(d, pur, wo, o_ts, acct[:n_o], oid)

    def shop_orders(
        self, d: int, pur: dict, wo: np.ndarray, o_ts: np.ndarray, acct: np.ndarray, oid: list[str]
    ) -> None:
        P, rng = self.P, self.rng
        n_o = len(wo)
        self.web_seq += n_o
        month = day_date(d).strftime("%Y-%m")
        if month != self.orders_month:
            if self.orders_out:
                self.orders_out.close()
            self.orders_out = GzLines(self.lake, f"shop/orders/orders-{month}.jsonl.gz", self.bg, self.counts)
            self.orders_month = month
        if n_o == 0:
            return
        out = self.orders_out
        rel = out.rel
        persons = pur["buyers"][wo]
        cur = pur["cur"][wo]
        cur_s = [CURRENCIES[c] for c in cur.tolist()]
        created = iso_local(o_ts, P.tz[persons])
        # line fragments
        L = pur["L"][wo]
        li = ranges(pur["first"][wo], L)
        qty = pur["qty"][li].copy()
        prod_s = [self.prods.sku[x] for x in pur["prod"][li].tolist()]
        # value defects (order level, disjoint): negative quantity, unknown sku, unknown currency, bad date
        taken = np.zeros(n_o, dtype=bool)
        lstart = np.cumsum(L) - L
        neg = pick(rng, n_o, 0.004, taken)
        qty[lstart[neg]] = -qty[lstart[neg]]
        unk = pick(rng, n_o, 0.004, taken)
        for j in unk.tolist():
            prod_s[lstart[j]] = f"SKU-{90000 + int(rng.integers(0, 9999)):05d}"
        ucur = pick(rng, n_o, 0.004, taken)
        for j in ucur.tolist():
            cur_s[j] = "XXX"
        bdate = pick(rng, n_o, 0.003, taken)
        for j, v in zip(bdate.tolist(), bad_date_values(rng, len(bdate), "isooff"), strict=True):
            created[j] = v
        ids = [x.strip('"') for x in oid]
        for name, idx in (
            ("negative_quantity", neg),
            ("unknown_sku", unk),
            ("unknown_currency", ucur),
            ("bad_date", bdate),
        ):
            self.defects.log(rel, [ids[j] for j in idx.tolist()], name)
        up = money(pur["unit"][li])
        ds = money(pur["disc"][li])
        lf = [
            f'{{"sku": "{s}", "qty": {q}, "unit_price": {u}, "discount": {x}}}'
            for s, q, u, x in zip(prod_s, qty.tolist(), up, ds, strict=True)
        ]
        sub = pur["value"][wo]
        fee = np.array([SHIPPING[c][0] for c in ("EUR", "GBP", "SEK", "USD", "EUR")])[cur]
        free = np.array([SHIPPING[c][1] for c in ("EUR", "GBP", "SEK", "USD", "EUR")])[cur]
        fee = np.where(sub >= free, 0, fee)
        fee_s, tot_s = money(fee), money(sub + fee)
        status = ["cancelled" if x else "completed" for x in pur["cancelled"][wo].tolist()]
        off = pur["offer"][wo]
        off_s = [self.offer_frag[x] if x >= 0 else "null" for x in off.tolist()]
        acc_s = self.P.ids["shop"].take(acct)
        ends = np.cumsum(L).tolist()
        starts = lstart.tolist()
        lines = [
            f'{{"order_id": "{ids[j]}", "account_id": "{acc_s[j]}", "created_at": "{created[j]}", '
            f'"currency": "{cur_s[j]}", "status": "{status[j]}", "offer_id": {off_s[j]}, '
            f'"lines": [{", ".join(lf[starts[j] : ends[j]])}], "shipping_fee": {fee_s[j]}, "total": {tot_s[j]}}}'
            for j in range(n_o)
        ]
        base = out.lines
        lines, dup, miss, broken = line_defects(rng, lines, ids, "order_id", 0.004, 0.003, 0.004, taken)
        out.write(lines)
        self.defects.log(rel, dup, "duplicate_record")
        self.defects.log(rel, [f"line:{base + k + 1}" for k in miss], "missing_key")
        self.defects.log(rel, [f"line:{base + k + 1}" for k in broken], "broken_json")

    # ------------------------------------------------------------------------------------------- POS
    def pos(self, d: int, pur: dict) -> None:
        P, rng, st = self.P, self.rng, self.stores
        ps = np.flatnonzero(pur["ch"] == 1)
        k = len(ps)
        persons = pur["buyers"][ps]
        store = P.home_store[persons].copy()
        away = rng.random(k) < 0.15
        for ci in np.unique(P.country[persons[away]]).tolist():
            m = np.flatnonzero(away & (P.country[persons] == ci))
            cand = st.by_country[ci]
            store[m] = cand[rng.integers(0, len(cand), len(m))]
        ts = _utc_from_local(d, _local_time_ms(rng, k, STORE_HOURS), st.tz[store])
        # loyalty card: the replacement card once issued, scanned most of the time
        card = self.rec_at("pos", persons, d, second=np.ones(k, dtype=bool))
        card = np.where(rng.random(k) < 0.88, card, -1)
        register = rng.integers(1, 5, k)
        o = np.lexsort((ts, store))
        ps, persons, store, ts, card, register = ps[o], persons[o], store[o], ts[o], card[o], register[o]
        grp_first = np.searchsorted(store, store)
        seq = np.arange(k) - grp_first + 1
        ymd_s = day_date(d).strftime("%Y%m%d")
        tx = np.array(
            [f"{st.ids[s]}-{ymd_s}-{q:05d}" for s, q in zip(store.tolist(), seq.tolist(), strict=True)], dtype=object
        )
        L = pur["L"][ps]
        li = ranges(pur["first"][ps], L)
        owner = np.repeat(np.arange(k), L)
        line_no = seg_pos(L) + 1
        n = len(li)
        store_l = store[owner]
        sku_l = pur["prod"][li].copy()
        qty = pur["qty"][li].astype(np.int32)
        unit = pur["unit"][li] / 100.0
        disc = pur["disc"][li] / 100.0
        cur_l = pur["cur"][ps][owner]
        rel = f"pos/transactions/pos_{ymd_s}.parquet"

        def keys(idx: np.ndarray) -> list[str]:
            return [f"{tx[owner[j]]}|{line_no[j]}" for j in idx.tolist()]

        taken = np.zeros(n, dtype=bool)
        neg = pick(rng, n, 0.004, taken)
        qty[neg] = -qty[neg]
        unk = pick(rng, n, 0.004, taken)
        sku_l[unk] = len(self.prods.sku) + rng.integers(0, len(self.fake_sku), len(unk))
        ust = pick(rng, n, 0.003, taken)
        store_l[ust] = len(st.ids) + rng.integers(0, len(self.fake_store), len(ust))
        ucur = pick(rng, n, 0.003, taken)
        cur_l[ucur] = len(CURRENCIES)  # "XXX"
        for name, idx in (
            ("negative_quantity", neg),
            ("unknown_sku", unk),
            ("unknown_store", ust),
            ("unknown_currency", ucur),
        ):
            self.defects.log(rel, keys(idx), name)
        dup = pick(rng, n, 0.004, taken)
        rows = np.arange(n)
        if len(dup):
            rows = np.sort(np.concatenate([rows, dup]), kind="stable")
            self.defects.log(rel, keys(dup), "duplicate_record")
        table = pa.table(
            {
                "transaction_id": pa.array(tx[owner[rows]].tolist(), pa.string()),
                "store_id": pa.array(self.store_tbl[store_l[rows]].tolist(), pa.string()),
                "register_id": pa.array(register[owner][rows], pa.int32()),
                "transaction_ts": pa.array(ts[owner][rows] * 1000, pa.timestamp("us", tz="UTC")),
                "loyalty_card_id": pa.array(P.ids["pos"].take(card[owner][rows]), pa.string()),
                "line_no": pa.array(line_no[rows], pa.int32()),
                "sku": pa.array(self.plain_sku_tbl[sku_l[rows]].tolist(), pa.string()),
                "quantity": pa.array(qty[rows], pa.int32()),
                "unit_price": pa.array(unit[rows], pa.float64()),
                "discount": pa.array(disc[rows], pa.float64()),
                "currency": pa.array(self.cur_tbl[cur_l[rows]].tolist(), pa.string()),
            }
        )
        self.counts.add(rel, len(rows))
        self.bg.parquet(self.lake / rel, table)

    # ------------------------------------------------------------------------------------------- ERP
    def erp(self, d: int, pur: dict) -> None:
        P, rng = self.P, self.rng
        es = np.flatnonzero(pur["ch"] == 2)
        k = len(es)
        if k == 0:
            return
        persons = pur["buyers"][es]
        ts = _utc_from_local(d, _local_time_ms(rng, k, ERP_HOURS), P.tz[persons])
        o = np.argsort(ts, kind="stable")
        es, persons, ts = es[o], persons[o], ts[o]
        cust = self.rec_at("erp", persons, d, second=rng.random(k) < 0.5)
        vb = [f"{4500000000 + x:010d}" for x in range(self.erp_seq + 1, self.erp_seq + k + 1)]
        self.erp_seq += k
        dstr = day_date(d).strftime("%Y%m%d")
        tstr = [s[11:19].replace(":", "") for s in iso_utc(ts)]
        cur = [CURRENCIES[c] for c in pur["cur"][es].tolist()]
        net = money(pur["value"][es], ",")
        kunnr = P.ids["erp"].take(cust)
        heads = [[vb[j], kunnr[j], dstr, tstr[j], cur[j], net[j]] for j in range(k)]
        rel = self.erp_h.rel
        taken = np.zeros(k, dtype=bool)
        unk = pick(rng, k, 0.006, taken)
        for j in unk.tolist():
            heads[j][1] = f"{9900000000 + int(rng.integers(0, 99999)):010d}"
        bad = pick(rng, k, 0.005, taken)
        for j, v in zip(bad.tolist(), bad_date_values(rng, len(bad), "ymd"), strict=True):
            heads[j][2] = v
        ucur = pick(rng, k, 0.005, taken)
        for j in ucur.tolist():
            heads[j][4] = "XXX"
        for name, idx in (("unknown_customer", unk), ("bad_date", bad), ("unknown_currency", ucur)):
            self.defects.log(rel, [vb[j] for j in idx.tolist()], name)
        self._write_with_dups(self.erp_h, heads, vb, 0.005, 0.004, taken)
        # lines
        L = pur["L"][es]
        li = ranges(pur["first"][es], L)
        owner = np.repeat(np.arange(k), L)
        posnr = (seg_pos(L) + 1) * 10
        qty = pur["qty"][li].copy()
        n = len(li)
        sku = [self.prods.sku[x] for x in pur["prod"][li].tolist()]
        keys = [f"{vb[o]}|{p:06d}" for o, p in zip(owner.tolist(), posnr.tolist(), strict=True)]
        taken = np.zeros(n, dtype=bool)
        neg = pick(rng, n, 0.005, taken)
        qty[neg] = -qty[neg]
        unk = pick(rng, n, 0.005, taken)
        for j in unk.tolist():
            sku[j] = f"SKU-{90000 + int(rng.integers(0, 9999)):05d}"
        rel = self.erp_l.rel
        self.defects.log(rel, [keys[j] for j in neg.tolist()], "negative_quantity")
        self.defects.log(rel, [keys[j] for j in unk.tolist()], "unknown_sku")
        unit = pur["unit"][li]
        q_s = [f"{'-' if q < 0 else ''}{abs(q)},000" for q in qty.tolist()]
        rows = [
            [vb[o], f"{p:06d}", s, q, "ST", u, v, cur[o]]
            for o, p, s, q, u, v in zip(
                owner.tolist(), posnr.tolist(), sku, q_s, money(unit, ","), money(qty * unit, ","), strict=True
            )
        ]
        self._write_with_dups(self.erp_l, rows, keys, 0.004, 0.0, taken)

    def _write_with_dups(
        self, out: CsvOut, rows: list, keys: list[str], p_dup: float, p_miss: float, taken: np.ndarray
    ) -> None:
        out.write(self._dup_miss(out.rel, rows, keys, p_dup, p_miss, taken, out.lines))

    def _dup_miss(
        self, rel: str, rows: list, keys: list[str], p_dup: float, p_miss: float, taken: np.ndarray, phys_before: int
    ) -> list:
        """Insert exact duplicates and key-less copies (key in column 0) right after their originals.
        `phys_before` is the number of physical lines already in the file (header included)."""
        rng = self.rng
        n = len(rows)
        dup = pick(rng, n, p_dup, taken)
        miss = pick(rng, n, p_miss, taken)
        kind = {j: 0 for j in dup.tolist()}
        kind.update({j: 1 for j in miss.tolist()})
        final: list = []
        prev = 0
        miss_lines = []
        for j in sorted(kind):
            final.extend(rows[prev : j + 1])
            r = list(rows[j])
            if kind[j] == 1:
                r[0] = ""
                miss_lines.append(phys_before + len(final) + 1)
            final.append(r)
            prev = j + 1
        final.extend(rows[prev:])
        self.defects.log(rel, [keys[j] for j in dup.tolist()], "duplicate_record")
        self.defects.log(rel, [f"line:{x}" for x in miss_lines], "missing_key")
        return final

    # ------------------------------------------------------------------------------------------ game
    def game(self, d: int, write: bool) -> None:
        P, rng = self.P, self.rng
        has = P.sys["game"][1] <= d
        wk = 1.3 if day_date(d).weekday() >= 5 else 1.0
        seas = 1.25 if day_date(d).month in (11, 12, 1) else (0.9 if day_date(d).month in (7, 8) else 1.0)
        p = P.game_rate * wk * seas * np.where(self.alive, 1.0, 0.3) * has
        pl = np.flatnonzero(rng.random(P.n) < p)
        S = len(pl)
        dur_s = np.clip(rng.lognormal(np.log(2100), 0.8, S), 60, 6 * 3600).astype(np.int64)
        n_iap = rng.poisson(dur_s / 3600.0 * P.iap_rate[pl] * self.alive[pl])
        n_lvl = rng.poisson(dur_s / 1500.0)
        cur = P.cur[pl]
        # IAP items and spend (needed after the as-of date too, for the truth)
        io = np.repeat(np.arange(S), n_iap)
        w = np.array([x[3] for x in IAP_ITEMS])
        item = rng.choice(len(IAP_ITEMS), len(io), p=w / w.sum())
        price = np.array([[x[1], x[2]] for x in IAP_ITEMS])
        amount = np.where(cur[io] == SEK, price[item, 1], price[item, 0])
        eur = amount * EUR_RATE[cur[io]] / 100.0
        buyers = pl[io]
        hist = HISTORY_DAYS - 1
        if d <= hist:
            self.customer[buyers] = True
            self.last_buy[buyers] = d
            np.add.at(self.hist_spend, buyers, eur)
        else:
            self.add_future(d, buyers, eur)
        if not write:
            return
        day0 = START_MS + d * DAY_MS
        player = self.rec_at("game", pl, d, second=rng.random(S) < 0.3)
        platform = np.where(rng.random(S) < 0.85, P.platform[pl], rng.integers(0, 3, S))
        game = np.minimum((P.game_pref[pl] < rng.random(S)[:, None]).sum(1), len(GAMES) - 1)
        start = _utc_from_local(d, _local_time_ms(rng, S, GAME_HOURS), P.tz[pl])
        start = np.maximum(np.minimum(start, day0 + DAY_MS - 1 - dur_s * 1000), day0)
        # events: start, levels, iaps, end
        lo = np.repeat(np.arange(S), n_lvl)
        e_sess = np.concatenate([np.arange(S), lo, io, np.arange(S)])
        e_type = np.concatenate([np.zeros(S, int), np.ones(len(lo), int), np.full(len(io), 2), np.full(S, 3)])
        frac = np.concatenate([np.zeros(S), np.sort(rng.random(len(lo))), rng.random(len(io)), np.ones(S)])
        level = np.zeros(len(e_sess), dtype=np.int64)
        if len(lo):
            lvl_first = np.searchsorted(lo, np.arange(S))
            level[S : S + len(lo)] = np.arange(len(lo)) - lvl_first[lo] + 1 + rng.integers(0, 40, S)[lo]
        e_item = np.full(len(e_sess), -1)
        e_item[S + len(lo) : S + len(lo) + len(io)] = item
        e_amount = np.zeros(len(e_sess), dtype=np.int64)
        e_amount[S + len(lo) : S + len(lo) + len(io)] = amount
        ts = start[e_sess] + (frac * dur_s[e_sess] * 1000).astype(np.int64)
        ts[e_type == 1] += 1  # never at exactly the start
        o = np.lexsort((e_type, ts))
        e_sess, e_type, level, e_item, e_amount, ts = (x[o] for x in (e_sess, e_type, level, e_item, e_amount, ts))
        E = len(e_sess)
        ids = decode(uuid4s(rng, E))
        sid = ["s-" + x for x in decode(hexids(rng, S, 16))]
        ip_s = ip_str(self.ips(pl))
        cur_e = cur[e_sess]
        rel = f"game/telemetry/telemetry_{day_date(d).strftime('%Y%m%d')}.jsonl.gz"
        iap_idx = np.flatnonzero(e_type == 2)
        taken = np.zeros(E, dtype=bool)
        bad_cur = iap_idx[pick(rng, len(iap_idx), 0.03)]
        taken[bad_cur] = True
        cur_names = np.array(CURRENCIES, dtype=object)[cur_e]
        cur_names[bad_cur] = "XXX"
        self.defects.log(rel, [ids[j] for j in bad_cur.tolist()], "unknown_currency")
        names = ["session_start", "level_complete", "iap_purchase", "session_end"]
        payload = np.full(E, "null", dtype=object)
        m = np.flatnonzero(e_type == 1)
        payload[m] = [f'{{"level": {lv}}}' for lv in level[m].tolist()]
        payload[iap_idx] = [
            f'{{"item_id": "{IAP_ITEMS[it][0]}", "amount": {a}, "currency": "{c}"}}'
            for it, a, c in zip(
                e_item[iap_idx].tolist(), money(e_amount[iap_idx]), cur_names[iap_idx].tolist(), strict=True
            )
        ]
        m = np.flatnonzero(e_type == 3)
        payload[m] = [f'{{"duration_s": {du}}}' for du in dur_s[e_sess[m]].tolist()]
        payload = payload.tolist()
        pid_s = P.ids["game"].take(player[e_sess])
        lines = [
            f'{{"event_id": "{a}", "event_type": "{names[t]}", "ts": {b}, "player_id": "{c}", '
            f'"session_id": "{sid[s]}", "platform": "{PLATFORMS[pf]}", "game_id": "{GAMES[g]}", '
            f'"client_ip": "{ip_s[s]}", "payload": {pl_}}}'
            for a, t, b, c, s, pf, g, pl_ in zip(
                ids,
                e_type.tolist(),
                ts.tolist(),
                pid_s,
                e_sess.tolist(),
                platform[e_sess].tolist(),
                game[e_sess].tolist(),
                payload,
                strict=True,
            )
        ]
        lines, dup, miss, broken = line_defects(rng, lines, ids, "event_id", 0.004, 0.003, 0.004, taken)
        out = GzLines(self.lake, rel, self.bg, self.counts)
        out.write(lines)
        out.close()
        self.defects.log(rel, dup, "duplicate_record")
        self.defects.log(rel, [f"line:{k + 1}" for k in miss], "missing_key")
        self.defects.log(rel, [f"line:{k + 1}" for k in broken], "broken_json")

    # ---------------------------------------------------------------------------------------- results
    def churn(self, horizon: int = 90) -> np.ndarray:
        """is_churned_<horizon>d: 1/0 for customers (a completed purchase on or before the last history day), 1 =
        no completed purchase in the ``horizon`` days after it; -1 for people who are not customers."""
        return np.where(self.customer, (~self.bought_next[horizon]).astype(int), -1)
