"""Shared fixtures: small generated lakes and isolated C360 homes. Real files, real tools."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dbt_runs import Build, run_dbt, share_identity_key
from lakes import write_partial_lake

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LAKE = PROJECT_ROOT / "seeds_data" / "lake"
SAMPLE_TRUTH = PROJECT_ROOT / "seeds_data" / "truth"

# Tests never send usage statistics either.
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated lake with about 150 people: the full source set, fast to build."""
    from seeds_data.generate import generate

    out = tmp_path_factory.mktemp("small_lake")
    generate(scale=0.15, seed=7, out=out)
    return out / "lake"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    if not (SAMPLE_LAKE / "crm" / "contacts.csv").exists():
        pytest.skip(f"the committed sample lake is absent ({SAMPLE_LAKE}); run `make lake` to write it")
    # One fixed identity key: keyed customer ids (and so the order training rows come in) are the same every run,
    # so the quality figures measured on this build do not move with a random key.
    return run_dbt(SAMPLE_LAKE, share_identity_key(tmp_path_factory.mktemp("sample_home")), "build")


@pytest.fixture(scope="session")
def crm_erp_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_partial_lake(tmp_path_factory.mktemp("crm_erp") / "lake", ["crm", "erp"])


@pytest.fixture(scope="session")
def crm_erp_build(crm_erp_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    return run_dbt(crm_erp_lake, tmp_path_factory.mktemp("crm_erp_home"), "build")


@pytest.fixture(autouse=True)
def _restore_environment():
    """Entry points export settings into os.environ (for dbt children); undo that after each test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
