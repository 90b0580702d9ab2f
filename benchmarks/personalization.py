"""Benchmark: personalization marts. Click latency (new partition file -> mart) and offline NBO evaluation.

    python -m benchmarks.personalization --scale 1     # the committed sample (seeds_data/lake)
    python -m benchmarks.personalization --scale 10    # bench_out/scale_10/lake (generated if absent)

Works on a lake of symlinks under --work (default <temp dir>/c360_bench_personalization/scale_S) pointing into the
source lake, which is never written to; the clickstream folder links every day but the last, which is linked
in later as "the new click file". Steps, each a separate `dbt` process (its parse time included):

1. upstream: seed + everything the personalization marts read + the marts (the last click day absent);
2. no-change run of the click path (clickstream staging -> cookie resolution -> clicks mart): no day rebuilt;
3. latency: the last day's partition file appears; the same click path runs. The wall time from the file
   landing to its clicks being in clicks_by_customer_product_offer is this run (checked: the day's clicks
   in the mart equal its staged clicks). Staging is not incremental, so this is staging + one mart day;
4. offline evaluation: the scoring date is the default as-of (the day after the last order); the
   personalization models are rebuilt with C360_AS_OF = scoring date - --window days, and the top-5 of
   next_best_offer are compared with each customer's purchases (all channels, the warehouse's own later
   data) in the --window days from that date. A hit: any of the 5 offers' target bought (the product of a
   product offer, any product of the category of a category offer). Baseline: global popularity, the same
   5 eligible offers for everyone, those whose target most customers bought in the 90 days before the
   as-of date. Sanity check against truth/category_affinity.csv: how often a customer's top affinity
   category is among the person's true top-3 categories.

Not a test: numbers vary with the machine and its load (tests/test_personalization.py guards the evaluation).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb

from benchmarks.identity import ensure_lake, model_seconds
from benchmarks.staging import measure_isolated
from orchestration.settings import PROJECT_ROOT, TELEMETRY_OFF

PERSONALIZATION = ["path:models/intermediate/personalization", "path:models/marts/personalization"]
CLICK_PATH = [
    "raw_web__clickstream", "base_web__clickstream", "stg_web__click_events", "int_web_cookies_identified",
    "int_click_events_resolved", "int_click_files_listed", "clicks_by_customer_product_offer",
]  # fmt: skip
AS_OF_MODELS = [
    "int_customers_segmented", "int_offers_eligible", "product_affinity", "cold_start_affinity", "next_best_offer",
]  # fmt: skip

EVALUATION_SQL = """
with

window_purchases as (
    select distinct customer_id, product_id, product_category
    from intermediate.int_product_interactions_unioned
    where interaction_type = 'purchase'
        and interaction_date >= cast($as_of as date)
        and interaction_date < cast($as_of as date) + to_days(cast($window_days as integer))
),

evaluated as (
    select distinct customer_id from window_purchases
),

model_offers as (
    select customer_id, offer_type, product_id, product_category, cold_start_strategy
    from marts.next_best_offer
    where offer_rank <= $k
),

buyers_before as (
    select product_id, product_category, customer_id
    from intermediate.int_product_interactions_unioned
    where interaction_type = 'purchase'
        and interaction_date < cast($as_of as date)
        and interaction_date >= cast($as_of as date) - to_days(90)
),

baseline_offers as (
    select
        offers.offer_id, offers.offer_type, offers.product_id, offers.product_category,
        (
            select count(distinct buyers_before.customer_id) from buyers_before
            where (offers.offer_type = 'product' and buyers_before.product_id = offers.product_id)
                or (offers.offer_type = 'category' and buyers_before.product_category = offers.product_category)
        ) as buyers
    from intermediate.int_offers_eligible as offers
    qualify row_number() over (order by buyers desc, offers.offer_id) <= $k
),

model_hits as (
    select
        evaluated.customer_id,
        max(model_offers.cold_start_strategy) as cold_start_strategy,
        max(case when window_purchases.customer_id is not null then 1 else 0 end) as hit
    from evaluated
    left join model_offers on evaluated.customer_id = model_offers.customer_id
    left join window_purchases
        on window_purchases.customer_id = model_offers.customer_id
        and ((model_offers.offer_type = 'product' and window_purchases.product_id = model_offers.product_id)
            or (model_offers.offer_type = 'category'
                and window_purchases.product_category = model_offers.product_category))
    group by evaluated.customer_id
),

baseline_hits as (
    select
        evaluated.customer_id,
        max(case when window_purchases.customer_id is not null then 1 else 0 end) as hit
    from evaluated
    cross join baseline_offers
    left join window_purchases
        on window_purchases.customer_id = evaluated.customer_id
        and ((baseline_offers.offer_type = 'product' and window_purchases.product_id = baseline_offers.product_id)
            or (baseline_offers.offer_type = 'category'
                and window_purchases.product_category = baseline_offers.product_category))
    group by evaluated.customer_id
)

select
    (select count(*) from evaluated) as evaluated_customers,
    (select avg(hit) from model_hits) as model_hit_rate,
    (select avg(hit) from baseline_hits) as baseline_hit_rate,
    (select count(*) from intermediate.int_offers_eligible) as eligible_offers,
    (select string_agg(offer_id, ',' order by offer_id) from baseline_offers) as baseline_offer_ids
"""

STRATEGY_SQL = """
select coalesce(cold_start_strategy, 'no_offers'), count(*), avg(hit) from (
    select evaluated.customer_id, max(nbo.cold_start_strategy) as cold_start_strategy, max(coalesce(hit, 0)) as hit
    from (select distinct customer_id from intermediate.int_product_interactions_unioned
          where interaction_type = 'purchase' and interaction_date >= cast($as_of as date)
            and interaction_date < cast($as_of as date) + to_days(cast($window_days as integer))) as evaluated
    left join marts.next_best_offer as nbo on evaluated.customer_id = nbo.customer_id
    left join (
        select distinct nbo.customer_id, 1 as hit
        from marts.next_best_offer as nbo
        inner join intermediate.int_product_interactions_unioned as bought
            on bought.customer_id = nbo.customer_id and bought.interaction_type = 'purchase'
            and bought.interaction_date >= cast($as_of as date)
            and bought.interaction_date < cast($as_of as date) + to_days(cast($window_days as integer))
            and ((nbo.offer_type = 'product' and bought.product_id = nbo.product_id)
                or (nbo.offer_type = 'category' and bought.product_category = nbo.product_category))
        where nbo.offer_rank <= $k
    ) as hits on evaluated.customer_id = hits.customer_id
    group by evaluated.customer_id
) as per_customer
group by 1 order by 1
"""


def evaluate(warehouse: Path, as_of: date, window_days: int = 30, k: int = 5) -> dict[str, object]:
    """Hit-rate@k of next_best_offer (built as of as_of) and of the global-popularity baseline."""
    params = {"as_of": as_of.isoformat(), "window_days": window_days, "k": k}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        built_as_of = con.execute("select max(as_of_date) from marts.next_best_offer").fetchone()[0]
        if built_as_of != as_of:
            raise ValueError(f"{warehouse}: next_best_offer is built as of {built_as_of}, not {as_of}; rebuild it "
                             f"with C360_AS_OF={as_of}")  # fmt: skip
        evaluated, model, baseline, eligible, baseline_ids = con.execute(EVALUATION_SQL, params).fetchone()
        strategies = {
            name: {"customers": count, "hit_rate": round(rate or 0.0, 4)}
            for name, count, rate in con.execute(STRATEGY_SQL, params).fetchall()
        }
    finally:
        con.close()
    return {
        "as_of": as_of.isoformat(), "window_days": window_days, "k": k, "evaluated_customers": evaluated,
        "eligible_offers": eligible, "model_hit_rate": round(model or 0.0, 4),
        "baseline_hit_rate": round(baseline or 0.0, 4), "baseline_offers": baseline_ids,
        "by_cold_start_strategy": strategies,
    }  # fmt: skip


def truth_sanity(warehouse: Path, truth: Path) -> dict[str, object]:
    """Share of customers whose top affinity category is among their person's true top-3 categories."""
    people: dict[tuple[str, str], str] = {}
    with (truth / "source_records.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            people[(row["source_system"], row["source_record_id"])] = row["person_id"]
    top3: dict[str, set[str]] = {}
    with (truth / "category_affinity.csv").open(newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: (row["person_id"], -float(row["affinity"])))
    for row in rows:
        chosen = top3.setdefault(row["person_id"], set())
        if len(chosen) < 3:
            chosen.add(row["category"])
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        mapped = con.execute("select customer_id, source_system, source_record_id from marts.customer_identity_map")
        customer_people: dict[str, dict[str, int]] = {}
        for customer_id, system, record_id in mapped.fetchall():
            person = people.get((system, record_id))
            if person:
                votes = customer_people.setdefault(customer_id, {})
                votes[person] = votes.get(person, 0) + 1
        top = con.execute(
            "select customer_id, affinity_value from marts.product_affinity "
            "where affinity_dimension = 'category' and affinity_rank = 1"
        ).fetchall()
    finally:
        con.close()
    checked = agreed = 0
    for customer_id, category in top:
        votes = customer_people.get(customer_id)
        if not votes:
            continue
        person = max(votes, key=lambda key: votes[key])
        if person in top3:
            checked += 1
            agreed += category in top3[person]
    return {"customers_checked": checked, "top_category_in_true_top3": round(agreed / checked, 4) if checked else None}


def link_lake(source: Path, lake: Path) -> Path:
    """A lake of symlinks to source, every clickstream day linked but the last; returns that day's folder."""
    if lake.exists():
        shutil.rmtree(lake)
    lake.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name not in ("web", "curated"):
            (lake / entry.name).symlink_to(entry.resolve())
    (lake / "web").mkdir()
    for entry in (source / "web").iterdir():
        if entry.name != "clickstream":
            (lake / "web" / entry.name).symlink_to(entry.resolve())
    clickstream = lake / "web" / "clickstream"
    clickstream.mkdir()
    days = sorted((source / "web" / "clickstream").glob("dt=*"))
    for path in days[:-1]:
        (clickstream / path.name).symlink_to(path.resolve())
    return days[-1].resolve()


def bench(scale: float, seed: int, source: Path | None, work: Path, window_days: int) -> dict[str, object]:
    if source is None:
        if scale == 1:
            source = PROJECT_ROOT / "seeds_data" / "lake"
        else:
            out, _, _ = ensure_lake(scale, seed, PROJECT_ROOT / "bench_out" / f"scale_{scale:g}")
            source = out / "lake"
    truth = source.parent / "truth"
    lake, home = work / "lake", work / "home"
    new_day = link_lake(source, lake)
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    target, warehouse = home / "target", home / "warehouse.duckdb"
    env = {**os.environ, **TELEMETRY_OFF, "C360_LAKE": str(lake), "C360_HOME": str(home)}
    env.pop("C360_AS_OF", None)
    dbt = [sys.executable, "-m", "orchestration.dbt_cli"]
    common = ["--target-path", str(target), "--log-path", str(home / "logs"), "--quiet"]

    def run(*args: str, extra_env: dict[str, str] | None = None) -> tuple[float, dict[str, float]]:
        measured = measure_isolated([*dbt, *args, *common], env={**env, **(extra_env or {})}, cwd=PROJECT_ROOT)
        return measured.seconds, model_seconds(target)

    seed_s, _ = run("seed")
    upstream_s, upstream_models = run("run", "--select", *[f"+{path}" for path in PERSONALIZATION])
    unchanged_s, unchanged_models = run("run", "--select", *CLICK_PATH)
    (lake / "web" / "clickstream" / new_day.name).symlink_to(new_day)
    latency_s, latency_models = run("run", "--select", *CLICK_PATH)

    day = new_day.name.removeprefix("dt=")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        staged, in_mart, total_staged, total_mart, scoring = con.execute(
            """
            select
                (select count(*) from staging.stg_web__click_events where event_date = cast($day as date)),
                (select sum(click_count) from marts.clicks_by_customer_product_offer
                 where event_date = cast($day as date)),
                (select count(*) from staging.stg_web__click_events),
                (select sum(click_count) from marts.clicks_by_customer_product_offer),
                (select max(order_date) + 1 from marts.sales_orders)
            """,
            {"day": day},
        ).fetchone()
    finally:
        con.close()

    eval_as_of = scoring - timedelta(days=window_days)
    eval_s, eval_models = run("run", "--select", *AS_OF_MODELS, extra_env={"C360_AS_OF": eval_as_of.isoformat()})
    evaluation = evaluate(warehouse, eval_as_of, window_days)
    sanity = truth_sanity(warehouse, truth) if (truth / "category_affinity.csv").exists() else {}

    mart_only = ["int_click_files_listed", "clicks_by_customer_product_offer"]
    return {
        "scale": scale, "clicks": total_staged, "clicks_in_mart": total_mart, "new_day": day,
        "new_day_clicks_staged": staged, "new_day_clicks_in_mart": in_mart,
        "seed_s": round(seed_s, 1), "upstream_s": round(upstream_s, 1),
        "unchanged_s": round(unchanged_s, 1), "latency_s": round(latency_s, 1),
        "latency_mart_models_s": round(sum(latency_models.get(name, 0.0) for name in mart_only), 2),
        "unchanged_models": unchanged_models, "latency_models": latency_models,
        "personalization_models_full_s": {
            name: upstream_models[name] for name in upstream_models
            if name in AS_OF_MODELS or name in ("int_product_interactions_unioned", *mart_only)
        },
        "evaluation_build_s": round(eval_s, 1), "evaluation_models": eval_models,
        "scoring_date": scoring.isoformat(), "evaluation": evaluation, "truth_sanity": sanity,
    }  # fmt: skip


def render(result: dict[str, object]) -> str:
    evaluation = result["evaluation"]
    lines = [
        f"scale {result['scale']:g}: {result['clicks']} clicks ({result['clicks_in_mart']} in the mart)",
        f"  upstream build (seed + all models the marts read + marts): {result['seed_s'] + result['upstream_s']:.1f} s",
        f"  click path, nothing new: {result['unchanged_s']:.1f} s",
        f"  latency, new click file {result['new_day']} -> clicks in mart: {result['latency_s']:.1f} s "
        f"({result['new_day_clicks_in_mart']} of {result['new_day_clicks_staged']} staged clicks of that day; "
        f"clicks mart models {result['latency_mart_models_s']:.2f} s of it)",
        f"  evaluation as of {evaluation['as_of']} (scoring date {result['scoring_date']}), "
        f"{evaluation['window_days']}-day window, {evaluation['evaluated_customers']} customers with purchases, "
        f"{evaluation['eligible_offers']} eligible offers:",
        f"    hit-rate@{evaluation['k']}: next_best_offer {evaluation['model_hit_rate']:.3f} vs global popularity "
        f"{evaluation['baseline_hit_rate']:.3f} (baseline offers {evaluation['baseline_offers']})",
        f"    by cold_start_strategy: {json.dumps(evaluation['by_cold_start_strategy'])}",
        f"    truth sanity: {json.dumps(result['truth_sanity'])}",
    ]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--source", type=Path, default=None, help="lake to link to (default: by scale)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--window", type=int, default=30, help="evaluation window in days")
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.gettempdir()) / "c360_bench_personalization" / f"scale_{args.scale:g}"
    result = bench(args.scale, args.seed, args.source, work, args.window)
    print(render(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
