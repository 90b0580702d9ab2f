"""Synthetic raw lake generator for c360.

    python -m seeds_data.generate --scale 1 --seed 42 --out seeds_data

writes `<out>/lake/...` (what the source systems export) and `<out>/truth/...` (the simulation's ground
truth). See seeds_data/README.md for the contract and the model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ._campaigns import build_campaigns
from ._common import (
    AS_OF,
    FUTURE_DAYS,
    HISTORY_DAYS,
    MAX_FUTURE_DAYS,
    START,
    Background,
    Counts,
    CsvOut,
    Defects,
    day_date,
)
from ._people import Addr, build_identity, build_people, pid, write_masters
from ._reference import build_geoip, build_products, build_stores, write_fx
from ._sim import Sim
from ._vocab import CATEGORIES, COUNTRIES

GENERATOR_VERSION = 1


def _log(verbose: bool, msg: str) -> None:
    if verbose:
        print(f"[generate] {msg}", file=sys.stderr, flush=True)


def generate(
    scale: float = 1.0,
    seed: int = 42,
    out: Path | str = "seeds_data",
    verbose: bool = False,
    future_days: int = FUTURE_DAYS,
) -> dict:
    """Simulate 1000*scale people and write `out/lake` and `out/truth`. Returns the manifest.

    ``future_days`` (180 to 273) is how long the simulation runs past the as-of date, for the truth only: the
    lake and the default truth columns do not depend on it (the draws of the history come first). Beyond the
    default 180 days, people.csv gains ``is_churned_180d`` and, for every longer truth horizon covered (273),
    ``is_churned_<h>d`` and ``spend_next_<h>d_eur``.
    """
    t0 = time.time()
    out = Path(out)
    lake, truth = out / "lake", out / "truth"
    bg = Background()
    for d in (lake, truth):  # move the previous output aside; the writer process deletes it meanwhile
        if d.exists():
            old = d.with_name(f".{d.name}.old-{os.getpid()}-{time.monotonic_ns()}")
            d.rename(old)
            bg.rmtree(old)
    lake.mkdir(parents=True)
    truth.mkdir(parents=True)
    n = max(1, int(round(1000 * scale)))
    rng = np.random.default_rng(seed)
    counts = Counts()
    defects = Defects(truth / "malformed_rows.csv")

    prods = build_products(rng, lake, counts)
    stores = build_stores(rng, lake, counts, Addr())
    write_fx(lake, counts)
    geo = build_geoip(rng, lake, counts)
    _log(verbose, f"reference data written; simulating {n:,} people")
    P, _ = build_people(rng, n, geo, stores)
    ident = build_identity(rng, P)
    write_masters(rng, P, ident, lake, truth, counts, defects, stores)
    del ident
    _log(verbose, f"master data written ({time.time() - t0:.1f}s); simulating {HISTORY_DAYS + future_days} days")
    cp = build_campaigns(rng, prods, lake, counts)
    sim = Sim(rng, P, prods, stores, geo, cp, lake, counts, defects, bg, verbose, future_days)
    sim.run()
    bg.close()
    defects.close()

    # ------------------------------------------------------------------------------------ truth files
    churn = sim.churn()
    # horizons beyond the default columns (only when the simulation runs longer than the default 180 days)
    extra = [h for h in sim.horizons if future_days > FUTURE_DAYS and h != 90]
    extra_churn = [sim.churn(h) for h in extra]
    tc = Counts()
    people = CsvOut(
        truth,
        "people.csv",
        [
            "person_id",
            "household_id",
            "first_name",
            "last_name",
            "email",
            "birth_date",
            "country",
            "is_churned_90d",
            "spend_next_90d_eur",
            "spend_next_180d_eur",
            *[f"is_churned_{h}d" for h in extra],
            *[f"spend_next_{h}d_eur" for h in extra if h > 180],
        ],
        tc,
    )
    base = np.datetime64(START.isoformat(), "D")
    for s in range(0, n, 50_000):
        idx = np.arange(s, min(n, s + 50_000))
        bd = np.datetime_as_string(base + P.birth[idx], unit="D").tolist()
        people.write(
            [
                [
                    pid(i),
                    f"HH-{P.hh[i] + 1:07d}",
                    P.first[i],
                    P.last[i],
                    P.email[i],
                    bd[j],
                    COUNTRIES[P.country[i]],
                    "" if churn[i] < 0 else str(churn[i]),
                    f"{sim.spend90[i]:.2f}",
                    f"{sim.spend180[i]:.2f}",
                    *["" if flags[i] < 0 else str(flags[i]) for flags in extra_churn],
                    *[f"{sim.spend_next[h][i]:.2f}" for h in extra if h > 180],
                ]
                for j, i in enumerate(idx.tolist())
            ]
        )
    people.close()
    ck = CsvOut(truth, "cookies.csv", ["cookie_id", "person_id"], tc)
    used = np.flatnonzero(sim.ck_used)
    ck.write(
        [[f"ck-{x:016x}", pid(p)] for x, p in zip(P.ck_num[used].tolist(), P.ck_person[used].tolist(), strict=True)]
    )
    ck.close()
    up = CsvOut(truth, "campaign_uplift.csv", ["campaign_id", "true_uplift", "base_conversion_rate"], tc)
    up.write([[r[0], f"{r[1]:.6f}", f"{r[2]:.6f}"] for r in sim.uplift_rows])
    up.close()
    aff = CsvOut(truth, "category_affinity.csv", ["person_id", "category", "affinity"], tc)
    for s in range(0, n, 10_000):
        block = P.pref[s : s + 10_000]
        micro = np.round(block * 1_000_000).astype(np.int64)
        top = block.argmax(1)
        rows_i = np.arange(len(block))
        micro[rows_i, top] += 1_000_000 - micro.sum(1)
        aff.write(
            [
                [pid(s + i), CATEGORIES[c], f"{v // 1_000_000}.{v % 1_000_000:06d}"]
                for i, row in enumerate(micro.tolist())
                for c, v in enumerate(row)
            ]
        )
    aff.close()

    # -------------------------------------------------------------------------------------- manifest
    customers = int((churn >= 0).sum())
    active = sim.customer & (sim.last_buy >= HISTORY_DAYS - 90)
    camp = {}
    for cid, st in sim.campaign_stats.items():
        w = st["window"]
        hold = w["hold"]
        camp[cid] = {
            "audience": st["audience"],
            "holdout": st["holdout"],
            "treated_conversion_observed": round(float(w["conv"][~hold].mean()), 4) if (~hold).any() else None,
            "holdout_conversion_observed": round(float(w["conv"][hold].mean()), 4) if hold.any() else None,
        }
    rows = dict(sorted(counts.rows.items()))
    manifest = {
        "generator": "seeds_data.generate",
        "generator_version": GENERATOR_VERSION,
        "scale": scale,
        "seed": seed,
        "people": n,
        "households": int(P.hh[-1]) + 1,
        "start_date": START.isoformat(),
        "as_of_date": AS_OF.isoformat(),
        "truth_horizon_end": day_date(HISTORY_DAYS - 1 + future_days).isoformat(),
        "history_days": HISTORY_DAYS,
        "lake_files": len(rows),
        "lake_rows_total": int(sum(rows.values())),
        "row_counts": rows,
        "truth_row_counts": dict(sorted(tc.rows.items())),
        "defects": {k: dict(sorted(v.items())) for k, v in sorted(defects.by_file.items())},
        "stats": {
            "customers": customers,
            "churned_90d": int((churn == 1).sum()),
            "churn_share_customers": round(float((churn == 1).sum() / max(customers, 1)), 4),
            "active_customers_last_90d": int(active.sum()),
            "churn_share_active_customers": round(float((churn[active] == 1).mean()), 4) if active.any() else None,
            "spend_next_90d_eur": round(float(sim.spend90.sum()), 2),
            "spend_next_180d_eur": round(float(sim.spend180.sum()), 2),
            "campaigns": camp,
        },
    }
    if future_days != FUTURE_DAYS:  # the default manifest stays as it was
        manifest["future_days"] = future_days
        for h in extra:
            manifest["stats"][f"churned_{h}d"] = int((sim.churn(h) == 1).sum())
            manifest["stats"][f"spend_next_{h}d_eur"] = round(float(sim.spend_next[h].sum()), 2)
    (truth / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    total = manifest["lake_rows_total"]
    dt = time.time() - t0
    _log(verbose, f"done: {total:,} lake rows in {dt:.1f}s ({total / max(dt, 1e-9):,.0f} rows/s)")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m seeds_data.generate", description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="1000*scale people (default 1)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=Path("seeds_data"), help="writes OUT/lake and OUT/truth")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument(
        "--future-days",
        type=int,
        default=FUTURE_DAYS,
        help=f"days simulated past the as-of date for the truth, {FUTURE_DAYS}..{MAX_FUTURE_DAYS} (default"
        f" {FUTURE_DAYS}); beyond {FUTURE_DAYS}, people.csv gains the churn and spend truth of the longer horizons",
    )
    a = ap.parse_args(argv)
    generate(a.scale, a.seed, a.out, verbose=not a.quiet, future_days=a.future_days)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
