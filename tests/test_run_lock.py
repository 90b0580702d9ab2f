"""One run at a time per C360_HOME, and runs left behind by a killed process: real processes, real Dagster."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.run_lock import PID_TAG, RunLocked, fail_dead_runs, run_lock, run_tags
from orchestration.settings import PROJECT_ROOT

HOLDER = """
import sys, time
from pathlib import Path
from orchestration.run_lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(home: Path, seconds: float) -> subprocess.Popen[str]:
    """A process holding the run lock of `home` for `seconds` (started, and holding, when this returns)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home), str(seconds)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_is_refused_with_the_holder_named_and_a_killed_holder_frees_the_lock(tmp_path: Path) -> None:
    holder = _hold(tmp_path, 60)
    try:
        with pytest.raises(RunLocked, match=f"pid {holder.pid} "), run_lock(tmp_path, wait=False):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        with run_lock(tmp_path, wait=False) as path:
            assert f'"pid": {os.getpid()}' in path.read_text()
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_second_run_waits_for_the_first(tmp_path: Path) -> None:
    holder = _hold(tmp_path, 2)
    said = io.StringIO()
    started = time.monotonic()
    with run_lock(tmp_path, out=said):
        waited = time.monotonic() - started  # the first run held the lock for 2 s
    holder.wait(timeout=10)
    assert waited > 1.0
    assert f"another run (pid {holder.pid} " in said.getvalue() and "waiting" in said.getvalue()


def test_runs_of_a_process_that_is_gone_are_marked_failed(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    with dg.DagsterInstance.ephemeral() as instance:
        started = dg.DagsterRunStatus.STARTED
        instance.add_run(dg.DagsterRun(job_name="c360_build_all", run_id="dead", status=started,
                                       tags={**run_tags(), PID_TAG: str(gone.pid)}))  # fmt: skip
        instance.add_run(dg.DagsterRun(job_name="c360_build_all", run_id="alive", status=started, tags=run_tags()))
        instance.add_run(dg.DagsterRun(job_name="c360_build_all", run_id="from-the-ui", status=started))
        assert fail_dead_runs(instance) == ["dead"]
        statuses = {run_id: instance.get_run_by_id(run_id).status for run_id in ("dead", "alive", "from-the-ui")}
        assert statuses == {"dead": dg.DagsterRunStatus.FAILURE, "alive": started, "from-the-ui": started}
        assert fail_dead_runs(instance) == []


def test_make_run_with_no_wait_stops_with_run_failed_while_another_run_holds_the_home(tmp_path: Path) -> None:
    holder = _hold(tmp_path, 60)
    try:
        env = {**os.environ, "C360_HOME": str(tmp_path), "DO_NOT_TRACK": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "orchestration.run", "--no-wait"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"c360: run FAILED: another c360 run (pid {holder.pid} " in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_failed_step_is_reported_once_by_the_exception_it_raised() -> None:
    """The ValueError the step raised, not Dagster's "Error occurred while executing op" nor the cause under it,
    and no line for the run's own failure event (which has no step)."""
    from orchestration.run import failure_causes

    @dg.op
    def train() -> None:
        try:
            raise KeyError("labels")
        except KeyError as error:
            raise ValueError("no labelled rows: the lake holds 90 days of orders, the horizon needs 273") from error

    @dg.op
    def fine() -> int:
        return 1

    @dg.job
    def scores() -> None:
        train()
        fine()

    result = scores.execute_in_process(raise_on_error=False)
    assert not result.success
    causes = failure_causes(result)
    assert causes == [
        "step train failed: ValueError: no labelled rows: the lake holds 90 days of orders, the horizon needs 273"
    ]


def test_the_console_shows_one_line_per_step_start_and_end(capsys: pytest.CaptureFixture[str]) -> None:
    """c360_progress: step starts and ends with durations, warnings; Dagster's DEBUG and INFO events only verbose."""
    from orchestration.progress import progress_logger

    @dg.op
    def load(context) -> int:  # noqa: ANN001 (Dagster reads the annotation; a string one is refused)
        context.log.info("loading the lake")
        context.log.warning("3 files unread")
        return 1

    @dg.op
    def train(rows: int) -> None:
        raise ValueError(f"too few rows: {rows}")

    @dg.job(logger_defs={"c360_progress": progress_logger})
    def pipeline() -> None:
        train(load())

    for verbose in (False, True):
        config = {"loggers": {"c360_progress": {"config": {"verbose": verbose}}}}
        assert not pipeline.execute_in_process(run_config=config, raise_on_error=False).success
        lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("c360 [")]
        assert any(line.endswith("load done in 0:00") for line in lines), lines
        assert any(line.endswith("train FAILED in 0:00") for line in lines), lines
        assert any("warning: 3 files unread" in line for line in lines), lines
        assert any("loading the lake" in line for line in lines) == verbose, lines
        if not verbose:
            assert len(lines) == 5, lines  # two starts, two ends, one warning


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_stops_its_dbt_records_canceled_and_frees_the_warehouse(
    stop: signal.Signals, small_lake: Path, tmp_path: Path
) -> None:
    """Ctrl-C (SIGINT) or SIGTERM while dbt builds: the run and dbt stop, the Dagster run is CANCELED, and the
    run lock and the warehouse file can be taken at once by the next run."""
    import duckdb

    from orchestration.run_lock import descendants

    home = tmp_path / "home"
    env = {**os.environ, "C360_LAKE": str(small_lake), "C360_HOME": str(home)}
    run = subprocess.Popen(
        [sys.executable, "-m", "orchestration.run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the signal goes to the run alone, as `kill` would send it
    )
    dbt: list[int] = []
    deadline = time.monotonic() + 300
    while not dbt and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.5)
        for pid in descendants(run.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:  # it ended between the listing and now
                continue
            if b"dbt" in cmdline and b"build" in cmdline:
                dbt.append(pid)
    assert dbt, "no dbt build started"
    time.sleep(3)  # dbt is working on models
    run.send_signal(stop)
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 130, output[-3000:]
    assert "c360: run CANCELED" in output and "Traceback" not in output, output[-3000:]
    assert not any(os.path.exists(f"/proc/{pid}") for pid in dbt), "dbt is still running"
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        statuses = [record.dagster_run.status for record in instance.get_run_records()]
    assert statuses == [dg.DagsterRunStatus.CANCELED]
    with run_lock(home, wait=False):
        duckdb.connect(str(home / "warehouse.duckdb")).close()  # the writer's lock is free
