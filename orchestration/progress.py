"""The console of `make run`: one line per finished step with its time and the time since the start.

Dagster's console logger prints every event of a run (about 3,000 DEBUG lines for the sample); this logger
prints one line when a step starts and one when it ends (with how long it took), and the warnings and errors
steps log. dbt steps print dbt's own progress lines beside it. `python -m orchestration.run --verbose` adds
Dagster's events at INFO.
"""

from __future__ import annotations

import logging
import sys
import time

import dagster as dg
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR  # the documented attribute of Dagster log records


def elapsed(seconds: float) -> str:
    """'1:05' for 65 seconds, '1:02:03' past an hour."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# Messages that say nothing a user acts on: steps skipped after a failure (the run's end names the failure),
# dagster-dbt's notes on how it selects and reports dbt nodes.
QUIET = ("Dependencies for step", "DBT selection of", "Logging an `AssetObservation` instead")


class ProgressHandler(logging.Handler):
    """Step starts and ends, with durations; warnings and errors; INFO messages too when verbose."""

    def __init__(self, verbose: bool = False, stream=None) -> None:
        super().__init__(logging.DEBUG)
        self.verbose = verbose
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.step_started: dict[str, float] = {}

    def _print(self, text: str) -> None:
        print(f"c360 [{elapsed(time.monotonic() - self.started)}] {text}", file=self.stream, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or (event.step_key if event is not None else None)
        kind = event.event_type_value if event is not None else None
        now = time.monotonic()
        if kind == "STEP_START" and step:
            self.step_started[step] = now
            self._print(f"{step} ...")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step:
            took = now - self.step_started.pop(step, now)
            self._print(f"{step} {'done' if kind == 'STEP_SUCCESS' else 'FAILED'} in {elapsed(took)}")
        elif kind is None and record.levelno >= logging.WARNING:
            message = str(meta.get("orig_message", record.getMessage()))
            if self.verbose or not message.startswith(QUIET):
                self._print(f"{record.levelname.lower()}: {message}")
        elif self.verbose and record.levelno >= logging.INFO:
            self._print(meta.get("orig_message", record.getMessage()))


@dg.logger(
    config_schema={"verbose": dg.Field(bool, default_value=False, description="Dagster's INFO events too.")},
    description="c360's console: one line per step start and end with durations, warnings and errors.",
)
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("c360_progress")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.handlers = [ProgressHandler(verbose=init_context.logger_config["verbose"])]
    return logger
