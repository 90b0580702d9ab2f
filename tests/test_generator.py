"""Tests of the synthetic lake generator (seeds_data/generate.py) and of the committed sample.

Real files only: the generator is run into temporary directories and compared with the committed
`seeds_data/lake` + `seeds_data/truth`; the noise/defect properties are checked on the committed sample.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import gzip
import ipaddress
import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from seeds_data.generate import generate

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "seeds_data"
LAKE = SAMPLE / "lake"
TRUTH = SAMPLE / "truth"
SOURCE_FOLDERS = ["crm", "erp", "shop", "pos", "web", "game", "marketing"]


# ------------------------------------------------------------------------------------------- helpers
def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def same_content(a: Path, b: Path) -> bool:
    if a.suffix == ".gz":
        return gzip.decompress(a.read_bytes()) == gzip.decompress(b.read_bytes())
    if a.suffix == ".parquet":
        return pq.read_table(a).equals(pq.read_table(b))
    return a.read_bytes() == b.read_bytes()


def tree_diff(a: Path, b: Path) -> list[str]:
    fa, fb = files(a), files(b)
    if fa != fb:
        return sorted(set(fa) ^ set(fb))
    return [f for f in fa if not same_content(a / f, b / f)]


def read_csv(path: Path, delimiter: str = ",") -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def csv_header(path: Path, delimiter: str = ",") -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return next(csv.reader(f, delimiter=delimiter))


def text_lines(path: Path) -> list[str]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8").splitlines()


def json_rows(path: Path) -> list[dict]:
    out = []
    for ln in text_lines(path):
        with contextlib.suppress(json.JSONDecodeError):
            out.append(json.loads(ln))
    return out


@pytest.fixture(scope="module")
def people() -> dict[str, dict]:
    return {r["person_id"]: r for r in read_csv(TRUTH / "people.csv")}


@pytest.fixture(scope="module")
def source_records() -> dict[tuple[str, str], str]:
    return {(r["source_system"], r["source_record_id"]): r["person_id"] for r in read_csv(TRUTH / "source_records.csv")}


@pytest.fixture(scope="module")
def malformed() -> list[dict]:
    return read_csv(TRUTH / "malformed_rows.csv")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((TRUTH / "manifest.json").read_text())


# ---------------------------------------------------------------------------------------- determinism
def test_default_run_reproduces_committed_sample(tmp_path: Path) -> None:
    m = generate(1.0, 42, tmp_path)
    assert m["scale"] == 1.0 and m["seed"] == 42
    for sub in ("lake", "truth"):
        assert files(SAMPLE / sub), f"committed sample {sub}/ is missing"
        diff = tree_diff(SAMPLE / sub, tmp_path / sub)
        assert not diff, f"{sub}: {len(diff)} files differ, e.g. {diff[:5]}"


def test_small_scale_same_seed_identical_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ma = generate(0.2, 7, a)
    mb = generate(0.2, 7, b)
    mc = generate(0.2, 8, c)
    assert ma == mb
    assert not tree_diff(a / "lake", b / "lake")
    assert not tree_diff(a / "truth", b / "truth")
    assert ma["people"] == 200
    diff = tree_diff(a / "lake", c / "lake")
    assert len(diff) > 100, "another seed should change (almost) every file"
    assert ma["row_counts"] != mc["row_counts"]
    # a rerun into the same directory replaces the previous output completely
    (a / "lake" / "stale.txt").write_text("left over")
    generate(0.2, 7, a)
    assert not tree_diff(a / "lake", b / "lake")
    assert sorted(p.name for p in a.iterdir()) == ["lake", "truth"]


# ------------------------------------------------------------------------------------------ contract
CSV_HEADERS = {
    "crm/contacts.csv": (
        ",",
        "contactid,firstname,lastname,emailaddress1,telephone1,mobilephone,address1_line1,"
        "address1_city,address1_postalcode,address1_country,birthdate,createdon,modifiedon,"
        "donotbulkemail,new_erpcustomernumber",
    ),
    "erp/customers.csv": (";", "KUNNR,NAME1,STRAS,PSTLZ,ORT01,LAND1,TELF1,SMTP_ADDR,GBDAT,ERDAT,AEDAT"),
    "erp/sales_orders.csv": (";", "VBELN,KUNNR,AUDAT,ERZET,WAERK,NETWR"),
    "erp/sales_order_lines.csv": (";", "VBELN,POSNR,MATNR,KWMENG,VRKME,NETPR,NETWR,WAERK"),
    "pos/loyalty_members.csv": (
        ",",
        "card_id,first_name,last_name,email,mobile,zip,birth_date,enrolled_on,home_store_id,opt_in_sms",
    ),
    "game/players.csv": (",", "player_id,gamer_tag,email,country,birth_year,created_at"),
    "marketing/campaigns.csv": (
        ",",
        "campaign_id,campaign_name,channel,campaign_type,target_category,start_date,end_date,budget_eur,holdout_share",
    ),
    "marketing/offers.csv": (",", "offer_id,campaign_id,offer_type,sku,category,discount_pct,valid_from,valid_to"),
    "marketing/exposures.csv.gz": (
        ",",
        "exposure_id,campaign_id,offer_id,recipient_type,recipient_id,group,assigned_at,sent_at,clicked_at",
    ),
    "reference/products.csv": (",", "sku,product_name,category,brand,list_price_eur,launched_on"),
    "reference/stores.csv": (",", "store_id,store_name,street,postcode,city,region,country,opened_on"),
    "reference/fx_rates.csv": (",", "currency_code,eur_per_unit"),
    "reference/geoip/GeoLite2-City-Blocks-IPv4.csv": (
        ",",
        "network,geoname_id,registered_country_geoname_id,represented_country_geoname_id,is_anonymous_proxy,"
        "is_satellite_provider,postal_code,latitude,longitude,accuracy_radius",
    ),
    "reference/geoip/GeoLite2-City-Locations-en.csv": (
        ",",
        "geoname_id,locale_code,continent_code,continent_name,country_iso_code,country_name,"
        "subdivision_1_iso_code,subdivision_1_name,subdivision_2_iso_code,subdivision_2_name,city_name,"
        "metro_code,time_zone,is_in_european_union",
    ),
}
TRUTH_HEADERS = {
    "people.csv": "person_id,household_id,first_name,last_name,email,birth_date,country,is_churned_90d,"
    "spend_next_90d_eur,spend_next_180d_eur",
    "source_records.csv": "source_system,source_record_id,person_id",
    "cookies.csv": "cookie_id,person_id",
    "campaign_uplift.csv": "campaign_id,true_uplift,base_conversion_rate",
    "category_affinity.csv": "person_id,category,affinity",
    "malformed_rows.csv": "file,row_key,defect",
}


def test_csv_headers_and_column_counts_follow_the_contract() -> None:
    for rel, (sep, header) in CSV_HEADERS.items():
        path = LAKE / rel
        assert csv_header(path, sep) == header.split(","), rel
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as f:
            widths = Counter(len(r) for r in csv.reader(f, delimiter=sep))
        assert set(widths) == {len(header.split(","))}, f"{rel}: ragged rows {widths}"
    for rel, header in TRUTH_HEADERS.items():
        assert csv_header(TRUTH / rel) == header.split(","), rel


def test_lake_layout_and_json_keys() -> None:
    names = files(LAKE)
    patterns = [
        r"crm/contacts\.csv",
        r"erp/(customers|sales_orders|sales_order_lines)\.csv",
        r"shop/accounts\.jsonl",
        r"shop/orders/orders-\d{4}-\d{2}\.jsonl\.gz",
        r"pos/transactions/pos_\d{8}\.parquet",
        r"pos/loyalty_members\.csv",
        r"web/clickstream/dt=\d{4}-\d{2}-\d{2}/events\.jsonl\.gz",
        r"game/telemetry/telemetry_\d{8}\.jsonl\.gz",
        r"game/players\.csv",
        r"marketing/(campaigns|offers)\.csv",
        r"marketing/exposures\.csv\.gz",
        r"reference/(products|stores|fx_rates)\.csv",
        r"reference/geoip/GeoLite2-City-(Blocks-IPv4|Locations-en)\.csv",
    ]
    unexpected = [n for n in names if not any(re.fullmatch(p, n) for p in patterns)]
    assert not unexpected
    acc = json_rows(LAKE / "shop/accounts.jsonl")[0]
    assert list(acc) == [
        "account_id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "birthday",
        "default_address",
        "loyalty_card",
        "newsletter",
        "created_at",
        "updated_at",
    ]
    order = json_rows(LAKE / "shop/orders/orders-2025-12.jsonl.gz")[0]
    assert list(order) == [
        "order_id",
        "account_id",
        "created_at",
        "currency",
        "status",
        "offer_id",
        "lines",
        "shipping_fee",
        "total",
    ]
    assert list(order["lines"][0]) == ["sku", "qty", "unit_price", "discount"]
    ev = json_rows(LAKE / "web/clickstream/dt=2025-12-01/events.jsonl.gz")[0]
    assert list(ev) == [
        "event_id",
        "ts",
        "type",
        "cookie_id",
        "account_id",
        "ip",
        "ua",
        "url",
        "sku",
        "offer_id",
        "order_id",
        "utm",
    ]
    tel = json_rows(LAKE / "game/telemetry/telemetry_20251201.jsonl.gz")[0]
    assert list(tel) == [
        "event_id",
        "event_type",
        "ts",
        "player_id",
        "session_id",
        "platform",
        "game_id",
        "client_ip",
        "payload",
    ]
    schema = pq.read_schema(LAKE / "pos/transactions/pos_20251201.parquet")
    assert [(f.name, str(f.type)) for f in schema] == [
        ("transaction_id", "string"),
        ("store_id", "string"),
        ("register_id", "int32"),
        ("transaction_ts", "timestamp[us, tz=UTC]"),
        ("loyalty_card_id", "string"),
        ("line_no", "int32"),
        ("sku", "string"),
        ("quantity", "int32"),
        ("unit_price", "double"),
        ("discount", "double"),
        ("currency", "string"),
    ]


def test_key_formats_and_vocabularies() -> None:
    contacts = read_csv(LAKE / "crm/contacts.csv")
    guid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(guid.fullmatch(r["contactid"]) for r in contacts if r["contactid"])
    assert {r["donotbulkemail"] for r in contacts} == {"0", "1"}
    assert all(re.fullmatch(r"\d{10}", r["KUNNR"]) for r in read_csv(LAKE / "erp/customers.csv", ";") if r["KUNNR"])
    assert all(
        re.fullmatch(r"[A-Z0-9]{8}", r["account_id"])
        for r in json_rows(LAKE / "shop/accounts.jsonl")
        if r["account_id"]
    )
    assert all(
        re.fullmatch(r"\d{13}", r["card_id"]) for r in read_csv(LAKE / "pos/loyalty_members.csv") if r["card_id"]
    )
    assert all(re.fullmatch(r"P-\d{8}", r["player_id"]) for r in read_csv(LAKE / "game/players.csv") if r["player_id"])
    camps = read_csv(LAKE / "marketing/campaigns.csv")
    assert 20 <= len(camps) <= 40
    assert {c["channel"] for c in camps} == {"email", "display", "social", "sms", "in_game"}
    assert {c["campaign_type"] for c in camps} <= {"upsell", "cross_sell", "retention", "acquisition"}
    assert all(0.1 <= float(c["holdout_share"]) <= 0.2 for c in camps)
    expo = read_csv(LAKE / "marketing/exposures.csv.gz")
    rtype = {
        "email": "crm_contact",
        "sms": "loyalty_card",
        "display": "shop_account",
        "social": "shop_account",
        "in_game": "game_player",
    }
    chan = {c["campaign_id"]: c["channel"] for c in camps}
    assert all(e["recipient_type"] == rtype[chan[e["campaign_id"]]] for e in expo)
    assert {e["group"] for e in expo} == {"treatment", "holdout"}
    assert all(e["sent_at"] == "" for e in expo if e["group"] == "holdout")
    assert all(e["clicked_at"] == "" for e in expo if e["group"] == "holdout")
    fx = {r["currency_code"]: float(r["eur_per_unit"]) for r in read_csv(LAKE / "reference/fx_rates.csv")}
    assert {"EUR", "GBP", "SEK", "USD"} <= set(fx) and fx["EUR"] == 1.0
    products = read_csv(LAKE / "reference/products.csv")
    assert 200 <= len(products) <= 400 and 8 <= len({p["category"] for p in products}) <= 10
    assert 20 <= len(read_csv(LAKE / "reference/stores.csv")) <= 40


def test_manifest_row_counts_match_files(manifest: dict) -> None:
    assert set(manifest["row_counts"]) == set(files(LAKE))
    for rel, n in manifest["row_counts"].items():
        p = LAKE / rel
        if p.suffix == ".parquet":
            got = pq.read_metadata(p).num_rows
        else:
            got = len(text_lines(p)) - (1 if ".csv" in p.name else 0)
        assert got == n, rel


# ---------------------------------------------------------------------------------- time and size
def test_as_of_is_last_lake_day_with_16_months_of_history(manifest: dict) -> None:
    assert manifest["start_date"] == "2025-06-01" and manifest["as_of_date"] == "2026-09-30"
    days = sorted(p.name[3:] for p in (LAKE / "web/clickstream").iterdir())
    assert days[0] == "2025-06-01" and days[-1] == "2026-09-30" and len(days) == 487
    tel = sorted(p.name for p in (LAKE / "game/telemetry").iterdir())
    assert tel[-1] == "telemetry_20260930.jsonl.gz"
    pos = sorted(p.name for p in (LAKE / "pos/transactions").iterdir())
    assert pos[0] == "pos_20250601.parquet" and pos[-1] == "pos_20260930.parquet"
    months = sorted(p.name for p in (LAKE / "shop/orders").iterdir())
    assert len(months) == 16 and months[-1] == "orders-2026-09.jsonl.gz"
    last = max(
        e["ts"] for e in json_rows(LAKE / "web/clickstream/dt=2026-09-30/events.jsonl.gz") if e["ts"].startswith("2026")
    )
    assert last.startswith("2026-09-30T")
    # nothing after the as-of date anywhere in the event streams
    aud = [r["AUDAT"] for r in read_csv(LAKE / "erp/sales_orders.csv", ";")]
    assert max(a for a in aud if a <= "20261231") <= "20260930"


def test_sizes() -> None:
    lake = sum(p.stat().st_size for p in LAKE.rglob("*") if p.is_file())
    truth = sum(p.stat().st_size for p in TRUTH.rglob("*") if p.is_file())
    assert 4e6 < lake < 20e6, lake
    assert truth < 3e6, truth


# ------------------------------------------------------------------------------------ identity noise
def test_people_are_spread_over_systems(people: dict, source_records: dict) -> None:
    systems = defaultdict(set)
    per_system = Counter()
    for (sys_, _), pid in source_records.items():
        systems[pid].add(sys_)
        per_system[(sys_, pid)] += 1
    n = len(people)
    multi = sum(1 for s in systems.values() if len(s) >= 2)
    assert multi / n > 0.3, multi / n
    assert {s for v in systems.values() for s in v} == {"crm", "erp", "shop", "pos", "game"}
    dups = Counter(s for (s, _), k in per_system.items() if k >= 2)
    assert all(dups[s] >= 1 for s in ("crm", "shop")), dups  # duplicate accounts within one system
    shares = {s: sum(1 for v in systems.values() if s in v) / n for s in ("crm", "erp", "shop", "pos", "game")}
    assert 0.4 < shares["crm"] < 0.7 and 0.15 < shares["erp"] < 0.35 and 0.35 < shares["shop"] < 0.65
    assert 0.25 < shares["pos"] < 0.5 and 0.15 < shares["game"] < 0.4


def test_same_person_records_disagree(people: dict, source_records: dict) -> None:
    recs = defaultdict(list)  # person -> (system, first, last, email)
    for r in read_csv(LAKE / "crm/contacts.csv"):
        pid = source_records.get(("crm", r["contactid"]))
        if pid:
            recs[pid].append(("crm", r["firstname"], r["lastname"], r["emailaddress1"]))
    for r in json_rows(LAKE / "shop/accounts.jsonl"):
        pid = source_records.get(("shop", r["account_id"]))
        if pid:
            recs[pid].append(("shop", r["first_name"], r["last_name"], r["email"]))
    for r in read_csv(LAKE / "pos/loyalty_members.csv"):
        pid = source_records.get(("pos", r["card_id"]))
        if pid:
            recs[pid].append(("pos", r["first_name"], r["last_name"], r["email"]))
    name_diff = case_only_email = other_email = nick = swapped = 0
    from seeds_data._vocab import NICKNAMES

    for pid, rs in recs.items():
        true = people[pid]
        names = {(f, la) for _, f, la, _ in rs}
        name_diff += len(names) > 1
        emails = {e for *_, e in rs if e}
        if len(emails) > 1:
            if len({e.lower() for e in emails}) < len(emails):
                case_only_email += 1
            else:
                other_email += 1
        nick += any(f in NICKNAMES.get(true["first_name"], []) for _, f, _, _ in rs)
        swapped += any(f == true["last_name"] and la == true["first_name"] for _, f, la, _ in rs)
    assert name_diff >= 40, name_diff
    assert case_only_email >= 5, case_only_email
    assert other_email >= 10, other_email
    assert nick >= 20, nick
    assert swapped >= 1, swapped


def test_households_share_address_and_phone_and_names_collide(people: dict, source_records: dict) -> None:
    groups = defaultdict(set)
    for r in read_csv(LAKE / "crm/contacts.csv"):
        pid = source_records.get(("crm", r["contactid"]))
        if pid and r["address1_line1"] and r["telephone1"]:
            digits = re.sub(r"\D", "", r["telephone1"])[-7:]
            groups[(r["address1_line1"].lower().replace("str.", "straße"), digits)].add(pid)
    shared = [g for g in groups.values() if len(g) >= 2]
    assert len(shared) >= 5
    assert all(len({people[p]["household_id"] for p in g}) == 1 for g in shared)
    names = Counter((p["first_name"], p["last_name"]) for p in people.values())
    # Names follow real frequencies (seeds_data/_names.py): among 1000 people a full name still recurs a few
    # times, in a household (the surname is shared) or by chance between common names (9 on the sample).
    assert sum(1 for k in names.values() if k >= 2) >= 3
    hh = Counter(p["household_id"] for p in people.values())
    assert 0.2 < sum(1 for k in hh.values() if k >= 2) / len(hh) < 0.7


def test_phone_and_address_formats_vary() -> None:
    contacts = read_csv(LAKE / "crm/contacts.csv")
    phones = [r["mobilephone"] for r in contacts if r["mobilephone"]] + [
        r["telephone1"] for r in contacts if r["telephone1"]
    ]
    assert any(re.fullmatch(r"\+\d{8,14}", p) for p in phones)  # E.164
    assert any(p.startswith("00") for p in phones)
    assert any(re.match(r"0\d+[ /]", p) for p in phones)  # national with space or slash
    streets = [r["address1_line1"] for r in contacts] + [r["STRAS"] for r in read_csv(LAKE / "erp/customers.csv", ";")]
    assert any("str." in s.lower() for s in streets) and any("straße" in s.lower() for s in streets)
    assert any(re.search(r"\b(St|Ave|Rd|Ln|Dr|Blvd)$", s) for s in streets)


def test_cookies_log_in_later_and_ips_are_mostly_geolocatable() -> None:
    states = defaultdict(set)
    ips = []
    for p in sorted((LAKE / "web/clickstream").iterdir())[::7]:
        for e in json_rows(p / "events.jsonl.gz"):
            states[e["cookie_id"]].add(e["account_id"] is not None)
            ips.append(e["ip"])
    assert sum(1 for s in states.values() if s == {True, False}) >= 10
    nets = sorted(
        ipaddress.ip_network(r["network"]) for r in read_csv(LAKE / "reference/geoip/GeoLite2-City-Blocks-IPv4.csv")
    )
    assert 300 <= len(nets) <= 3000
    starts = [int(n.network_address) for n in nets]
    for a, b in zip(nets, nets[1:], strict=False):
        assert not a.overlaps(b)

    def listed(ip: str) -> bool:
        x = int(ipaddress.ip_address(ip))
        i = bisect.bisect_right(starts, x) - 1
        return i >= 0 and ipaddress.ip_address(ip) in nets[i]

    share = sum(map(listed, ips)) / len(ips)
    assert 0.95 < share < 0.995, share


def test_web_orders_are_consistent() -> None:
    orders = {}
    for p in sorted((LAKE / "shop/orders").iterdir()):
        for o in json_rows(p):
            orders[o["order_id"]] = o
    ok = bad = 0
    for o in orders.values():
        if o["currency"] == "XXX" or any(ln["qty"] < 0 for ln in o["lines"]):
            continue
        total = sum(
            Decimal(str(ln["qty"])) * Decimal(str(ln["unit_price"])) - Decimal(str(ln["discount"])) for ln in o["lines"]
        ) + Decimal(str(o["shipping_fee"]))
        ok += total == Decimal(str(o["total"]))
        bad += total != Decimal(str(o["total"]))
    assert ok > 1000 and bad == 0
    assert {o["status"] for o in orders.values()} == {"completed", "cancelled"}
    assert sum(1 for o in orders.values() if o["offer_id"]) >= 10
    # purchase events in the clickstream point at web-shop orders
    refs = set()
    for p in sorted((LAKE / "web/clickstream").iterdir())[::5]:
        refs |= {e["order_id"] for e in json_rows(p / "events.jsonl.gz") if e["type"] == "purchase"}
    assert refs and len(refs & set(orders)) / len(refs) > 0.97


# ------------------------------------------------------------------------------------------ defects
def test_defects_listed_for_every_source_and_locatable(malformed: list[dict]) -> None:
    by_folder = defaultdict(Counter)
    for m in malformed:
        assert (LAKE / m["file"]).is_file(), m
        by_folder[m["file"].split("/")[0]][m["defect"]] += 1
    assert set(SOURCE_FOLDERS) <= set(by_folder), by_folder.keys()
    kinds = Counter(m["defect"] for m in malformed)
    assert set(kinds) == {
        "broken_json",
        "bad_date",
        "negative_quantity",
        "unknown_currency",
        "missing_key",
        "unknown_sku",
        "unknown_customer",
        "unknown_store",
        "duplicate_record",
    }
    # every JSON-lines source has broken lines, and each listed `line:N` is really broken / key-less
    for folder in ("shop", "web", "game"):
        assert by_folder[folder]["broken_json"] > 0, folder
    cache: dict[str, list[str]] = {}
    keys = {"web": "event_id", "game": "event_id", "shop/orders": "order_id", "shop/accounts": "account_id"}
    for m in malformed:
        if not m["row_key"].startswith("line:") or m["file"].endswith(".parquet"):
            continue
        lines = cache.setdefault(m["file"], text_lines(LAKE / m["file"]))
        line = lines[int(m["row_key"][5:]) - 1]
        if m["defect"] == "broken_json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(line)
        elif ".jsonl" in m["file"]:
            key = next(v for k, v in keys.items() if m["file"].startswith(k))
            assert json.loads(line)[key] is None, m
        else:
            sep = ";" if m["file"].startswith("erp/") else ","
            assert next(csv.reader([line], delimiter=sep))[0] == "", m
    # duplicates really are duplicated
    contacts = Counter(r["contactid"] for r in read_csv(LAKE / "crm/contacts.csv"))
    for m in malformed:
        if m["file"] == "crm/contacts.csv" and m["defect"] == "duplicate_record":
            assert contacts[m["row_key"]] == 2
    # the share of defective rows stays small
    n_rows = sum(json.loads((TRUTH / "manifest.json").read_text())["row_counts"].values())
    assert 0.003 < len(malformed) / n_rows < 0.04


def test_unknown_ids_are_really_unknown(malformed: list[dict]) -> None:
    skus = {r["sku"] for r in read_csv(LAKE / "reference/products.csv")}
    kunnr = {r["KUNNR"] for r in read_csv(LAKE / "erp/customers.csv", ";")}
    bad_orders = {m["row_key"] for m in malformed if m["defect"] == "unknown_customer"}
    orders = read_csv(LAKE / "erp/sales_orders.csv", ";")
    assert bad_orders and all(o["KUNNR"] not in kunnr for o in orders if o["VBELN"] in bad_orders)
    assert sum(1 for o in orders if o["KUNNR"] not in kunnr) == len(bad_orders)
    lines = read_csv(LAKE / "erp/sales_order_lines.csv", ";")
    assert sum(1 for ln in lines if ln["MATNR"] not in skus) == sum(
        1 for m in malformed if m["file"] == "erp/sales_order_lines.csv" and m["defect"] == "unknown_sku"
    )
    pos = pa.concat_tables([pq.read_table(p) for p in sorted((LAKE / "pos/transactions").iterdir())])
    assert pc_count(pos, "quantity", lambda q: q < 0) == sum(
        1 for m in malformed if m["file"].startswith("pos/transactions") and m["defect"] == "negative_quantity"
    )


def pc_count(table: pa.Table, col: str, pred) -> int:
    return sum(1 for v in table.column(col).to_pylist() if pred(v))


# -------------------------------------------------------------------------------------------- truth
def test_churn_and_spend_are_plausible(people: dict, manifest: dict) -> None:
    churn = [p["is_churned_90d"] for p in people.values()]
    assert set(churn) == {"0", "1", ""}
    customers = [c for c in churn if c]
    share = customers.count("1") / len(customers)
    assert 0.3 < share < 0.75, share  # all customers of the 16 months, incl. one-off buyers
    active = manifest["stats"]["churn_share_active_customers"]
    assert 0.15 < active < 0.45, active
    for p in people.values():
        s90, s180 = float(p["spend_next_90d_eur"]), float(p["spend_next_180d_eur"])
        assert 0 <= s90 <= s180
        if p["is_churned_90d"] == "1":
            assert s90 == 0
    assert sum(1 for p in people.values() if float(p["spend_next_90d_eur"]) > 0) > 100


def test_category_affinity_sums_to_one(people: dict) -> None:
    total = defaultdict(Decimal)
    for r in read_csv(TRUTH / "category_affinity.csv"):
        total[r["person_id"]] += Decimal(r["affinity"])
    assert set(total) == set(people)
    assert all(v == 1 for v in total.values())


def test_campaign_uplift_in_sane_ranges(manifest: dict) -> None:
    rows = read_csv(TRUTH / "campaign_uplift.csv")
    camps = {c["campaign_id"] for c in read_csv(LAKE / "marketing/campaigns.csv")}
    assert {r["campaign_id"] for r in rows} == camps
    up = [float(r["true_uplift"]) for r in rows]
    base = [float(r["base_conversion_rate"]) for r in rows]
    assert all(-0.001 <= u <= 0.25 for u in up)
    assert all(0 < b < 0.7 for b in base)
    assert sum(u > 0.02 for u in up) >= 8 and sum(u < 0.005 for u in up) >= 3
    # on average, treated groups converted more than holdouts (observed in the simulation)
    st = manifest["stats"]["campaigns"]
    strong = [c for c, u in zip([r["campaign_id"] for r in rows], up, strict=True) if u > 0.04]
    gap = [
        st[c]["treated_conversion_observed"] - st[c]["holdout_conversion_observed"]
        for c in strong
        if st[c]["holdout_conversion_observed"] is not None
    ]
    assert sum(gap) / len(gap) > 0


def test_source_records_cover_lake_ids(source_records: dict) -> None:
    ids = {
        "crm": {r["contactid"] for r in read_csv(LAKE / "crm/contacts.csv") if r["contactid"]},
        "erp": {r["KUNNR"] for r in read_csv(LAKE / "erp/customers.csv", ";") if r["KUNNR"]},
        "shop": {r["account_id"] for r in json_rows(LAKE / "shop/accounts.jsonl") if r["account_id"]},
        "pos": {r["card_id"] for r in read_csv(LAKE / "pos/loyalty_members.csv") if r["card_id"]},
        "game": {r["player_id"] for r in read_csv(LAKE / "game/players.csv") if r["player_id"]},
    }
    for sys_, lake_ids in ids.items():
        truth_ids = {k for s, k in source_records if s == sys_}
        # broken JSON lines lose a few account ids from the lake; everything else is listed exactly
        assert lake_ids <= truth_ids, sys_
        assert len(truth_ids - lake_ids) <= 0.02 * len(truth_ids), sys_
    cookies = read_csv(TRUTH / "cookies.csv")
    assert len(cookies) > 500 and len({c["cookie_id"] for c in cookies}) == len(cookies)


def test_every_defect_in_the_lake_is_listed_and_nothing_else(malformed: list[dict]) -> None:
    """Re-detect all defects by parsing the committed lake independently; the set must equal the truth."""
    listed = {(m["file"], m["row_key"], m["defect"]) for m in malformed}
    assert len(listed) == len(malformed), "an entry is listed twice"
    skus = {r["sku"] for r in read_csv(LAKE / "reference/products.csv")}
    stores = {r["store_id"] for r in read_csv(LAKE / "reference/stores.csv")}
    curs = {r["currency_code"] for r in read_csv(LAKE / "reference/fx_rates.csv")}
    found: set[tuple[str, str, str]] = set()

    def date_ok(s: str, fmt: str) -> bool:
        try:
            datetime.strptime(s, fmt)
            return True
        except ValueError:
            return False

    def csv_file(rel: str, sep: str, checks) -> None:
        rows = list(csv.reader(text_lines(LAKE / rel), delimiter=sep))[1:]
        seen: Counter = Counter()
        for i, r in enumerate(rows):
            key = r[0] if rel != "erp/sales_order_lines.csv" else f"{r[0]}|{r[1]}"
            if not r[0]:
                found.add((rel, f"line:{i + 2}", "missing_key"))
                continue
            seen[tuple(r)] += 1
            if seen[tuple(r)] > 1:
                found.add((rel, key, "duplicate_record"))
            for defect, bad in checks:
                if bad(r):
                    found.add((rel, key, defect))

    kunnr = {r["KUNNR"] for r in read_csv(LAKE / "erp/customers.csv", ";") if r["KUNNR"]}
    csv_file("crm/contacts.csv", ",", [("bad_date", lambda r: r[10] and not date_ok(r[10], "%Y-%m-%d"))])
    csv_file(
        "erp/customers.csv", ";", [("bad_date", lambda r: r[8] not in ("", "00000000") and not date_ok(r[8], "%Y%m%d"))]
    )
    csv_file(
        "erp/sales_orders.csv",
        ";",
        [
            ("unknown_customer", lambda r: r[1] not in kunnr),
            ("bad_date", lambda r: not date_ok(r[2], "%Y%m%d")),
            ("unknown_currency", lambda r: r[4] not in curs),
        ],
    )
    csv_file(
        "erp/sales_order_lines.csv",
        ";",
        [("negative_quantity", lambda r: r[3].startswith("-")), ("unknown_sku", lambda r: r[2] not in skus)],
    )
    csv_file(
        "pos/loyalty_members.csv",
        ",",
        [
            ("bad_date", lambda r: not date_ok(r[7], "%d.%m.%Y") or (r[6] and not date_ok(r[6], "%d.%m.%Y"))),
            ("unknown_store", lambda r: r[8] not in stores),
        ],
    )
    csv_file("game/players.csv", ",", [("bad_date", lambda r: not date_ok(r[5], "%Y-%m-%dT%H:%M:%SZ"))])
    csv_file(
        "marketing/exposures.csv.gz",
        ",",
        [("bad_date", lambda r: any(r[c] and not date_ok(r[c], "%Y-%m-%dT%H:%M:%SZ") for c in (6, 7, 8)))],
    )

    def jsonl_file(rel: str, key: str, checks) -> None:
        seen: Counter = Counter()
        for i, ln in enumerate(text_lines(LAKE / rel)):
            try:
                o = json.loads(ln)
            except json.JSONDecodeError:
                found.add((rel, f"line:{i + 1}", "broken_json"))
                continue
            if o[key] is None:
                found.add((rel, f"line:{i + 1}", "missing_key"))
                continue
            seen[ln] += 1
            if seen[ln] > 1:
                found.add((rel, o[key], "duplicate_record"))
            for defect, bad in checks:
                if bad(o):
                    found.add((rel, o[key], defect))

    def iso_bad(s: str) -> bool:
        try:
            datetime.fromisoformat(s)
            return False
        except ValueError:
            return True

    jsonl_file(
        "shop/accounts.jsonl",
        "account_id",
        [("bad_date", lambda o: o["birthday"] and not date_ok(o["birthday"], "%Y-%m-%d"))],
    )
    for p in sorted((LAKE / "shop/orders").iterdir()):
        jsonl_file(
            p.relative_to(LAKE).as_posix(),
            "order_id",
            [
                ("bad_date", lambda o: iso_bad(o["created_at"])),
                ("unknown_currency", lambda o: o["currency"] not in curs),
                ("negative_quantity", lambda o: any(x["qty"] < 0 for x in o["lines"])),
                ("unknown_sku", lambda o: any(x["sku"] not in skus for x in o["lines"])),
            ],
        )
    for p in sorted((LAKE / "web/clickstream").iterdir()):
        jsonl_file(
            (p / "events.jsonl.gz").relative_to(LAKE).as_posix(),
            "event_id",
            [
                ("bad_date", lambda o: not date_ok(o["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")),
                ("unknown_sku", lambda o: o["sku"] is not None and o["sku"] not in skus),
            ],
        )
    for p in sorted((LAKE / "game/telemetry").iterdir()):
        jsonl_file(
            p.relative_to(LAKE).as_posix(),
            "event_id",
            [
                (
                    "unknown_currency",
                    lambda o: o["event_type"] == "iap_purchase" and o["payload"]["currency"] not in curs,
                )
            ],
        )
    for p in sorted((LAKE / "pos/transactions").iterdir()):
        rel = p.relative_to(LAKE).as_posix()
        seen: Counter = Counter()
        for r in pq.read_table(p).to_pylist():
            key = f"{r['transaction_id']}|{r['line_no']}"
            seen[tuple(r.values())] += 1
            for defect, bad in (
                ("duplicate_record", seen[tuple(r.values())] > 1),
                ("negative_quantity", r["quantity"] < 0),
                ("unknown_sku", r["sku"] not in skus),
                ("unknown_store", r["store_id"] not in stores),
                ("unknown_currency", r["currency"] not in curs),
            ):
                if bad:
                    found.add((rel, key, defect))
    assert found - listed == set(), sorted(found - listed)[:10]
    assert listed - found == set(), sorted(listed - found)[:10]
