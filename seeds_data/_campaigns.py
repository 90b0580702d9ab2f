"""Campaign and offer plan (fixed before the simulation runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._common import HISTORY_DAYS, Counts, CsvOut, ymd
from ._reference import Products
from ._vocab import CAMPAIGN_TYPES, CATEGORIES, CATEGORY_SPEC

CHANNEL_PLAN = ["email"] * 10 + ["display"] * 5 + ["social"] * 5 + ["sms"] * 5 + ["in_game"] * 5
GAMING = [CATEGORIES.index(c) for c in ("video_games", "consoles", "gaming_accessories")]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
TYPE_LABEL = {"upsell": "Upgrade", "cross_sell": "Discover", "retention": "We miss you", "acquisition": "Welcome"}


@dataclass
class Campaigns:
    ids: list[str]
    channel: list[str]
    ctype: list[str]
    cat: np.ndarray
    start: np.ndarray  # day offsets
    end: np.ndarray
    holdout: np.ndarray
    strength: np.ndarray  # extra 30-day conversion probability for an average responder
    ctr: np.ndarray  # click probability of a treated recipient
    share: np.ndarray  # share of the eligible population put in the audience
    offer_ids: list[str]
    offer_prod: np.ndarray  # product index or -1 for category offers
    offer_pct: np.ndarray


def build_campaigns(rng: np.random.Generator, prods: Products, lake: Path, counts: Counts) -> Campaigns:
    k = len(CHANNEL_PLAN)
    channel = [CHANNEL_PLAN[i] for i in rng.permutation(k).tolist()]
    start = np.sort(rng.integers(10, HISTORY_DAYS - 60, k))
    dur = rng.integers(14, 43, k)
    end = np.minimum(start + dur, HISTORY_DAYS - 10)
    pop = np.array([CATEGORY_SPEC[c][3] for c in CATEGORIES])
    ctype, cat = [], []
    for ch in channel:
        if ch == "in_game":
            t = CAMPAIGN_TYPES[int(rng.choice(4, p=[0.45, 0.45, 0.1, 0.0]))]
            c = GAMING[int(rng.integers(0, 3))]
        elif ch == "sms":  # loyalty members have all bought something: no acquisition by SMS
            t = CAMPAIGN_TYPES[int(rng.choice(4, p=[0.35, 0.35, 0.3, 0.0]))]
            c = int(rng.choice(len(CATEGORIES), p=pop / pop.sum()))
        else:
            t = CAMPAIGN_TYPES[int(rng.choice(4, p=[0.3, 0.3, 0.2, 0.2]))]
            c = int(rng.choice(len(CATEGORIES), p=pop / pop.sum()))
        ctype.append(t)
        cat.append(c)
    cat_a = np.array(cat)
    holdout = rng.choice([0.1, 0.15, 0.2], k)
    strength = np.where(rng.random(k) < 0.25, rng.uniform(0.0, 0.004, k), rng.uniform(0.02, 0.16, k))
    ctr = np.array(
        [{"email": 0.08, "sms": 0.05, "display": 0.02, "social": 0.035, "in_game": 0.07}[c] for c in channel]
    ) * rng.uniform(0.6, 1.6, k)
    share = rng.uniform(0.35, 0.85, k)
    ids = [f"CMP-{i + 1:03d}" for i in range(k)]
    offer_prod = np.full(k, -1)
    pct = np.zeros(k, dtype=np.int64)
    for i, t in enumerate(ctype):
        if t == "upsell":
            cand = np.flatnonzero((prods.category == cat_a[i]) & (prods.launched <= start[i]))
            cand = cand[np.argsort(prods.price[cand, 0], kind="stable")]
            top = cand[len(cand) * 2 // 3 :]
            offer_prod[i] = int(top[int(rng.integers(0, len(top)))])
            pct[i] = int(rng.choice([10, 15, 20]))
        else:
            pct[i] = int(rng.choice([10, 15, 20, 25] if t != "retention" else [15, 20, 25, 30]))
    budget = rng.integers(50, 800, k) * 100
    start_s, end_s = ymd(start), ymd(end)
    rows = []
    for i in range(k):
        d = start_s[i]
        name = (
            f"{MONTHS[int(d[5:7]) - 1]} {d[:4]} {TYPE_LABEL[ctype[i]]}: "
            f"{CATEGORIES[cat[i]].replace('_', ' ')} ({channel[i].replace('_', '-')})"
        )
        rows.append(
            [
                ids[i],
                name,
                channel[i],
                ctype[i],
                CATEGORIES[cat[i]],
                start_s[i],
                end_s[i],
                f"{budget[i]}.00",
                f"{holdout[i]:.2f}",
            ]
        )
    out = CsvOut(
        lake,
        "marketing/campaigns.csv",
        [
            "campaign_id",
            "campaign_name",
            "channel",
            "campaign_type",
            "target_category",
            "start_date",
            "end_date",
            "budget_eur",
            "holdout_share",
        ],
        counts,
    )
    out.write(rows)
    out.close()
    offer_ids = [f"OF-{i + 1:04d}" for i in range(k)]
    out = CsvOut(
        lake,
        "marketing/offers.csv",
        ["offer_id", "campaign_id", "offer_type", "sku", "category", "discount_pct", "valid_from", "valid_to"],
        counts,
    )
    out.write(
        [
            [
                offer_ids[i],
                ids[i],
                "product" if offer_prod[i] >= 0 else "category",
                prods.sku[offer_prod[i]] if offer_prod[i] >= 0 else "",
                CATEGORIES[cat[i]],
                int(pct[i]),
                start_s[i],
                end_s[i],
            ]
            for i in range(k)
        ]
    )
    out.close()
    return Campaigns(ids, channel, ctype, cat_a, start, end, holdout, strength, ctr, share, offer_ids, offer_prod, pct)
