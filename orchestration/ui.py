"""Start the Dagster UI on 127.0.0.1 and stop it cleanly on Ctrl-C or SIGTERM (`make ui`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from types import FrameType

from orchestration.preflight import port_problem
from orchestration.settings import PROJECT_ROOT, apply_settings

STOP_TIMEOUT_S = 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("C360_UI_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("C360_UI_PORT", "3000")))
    args = parser.parse_args(argv)
    busy = port_problem(args.host, args.port, "C360_UI_PORT (or --port)")
    if busy:
        print(f"c360: Dagster UI not started: {busy}", file=sys.stderr)
        return 1

    settings = apply_settings()
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    command = [dagster, "dev", "-m", "orchestration.definitions", "-h", args.host, "-p", str(args.port)]
    print(f"c360: Dagster UI on http://{args.host}:{args.port} (home {settings.dagster_home})", flush=True)
    # Own process group, so a stop reaches the webserver and daemon that `dagster dev` starts.
    child = subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True)
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print(f"c360: stopping the Dagster UI ({signal.Signals(signum).name})", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGINT)  # dagster dev shuts its children down on SIGINT

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    deadline: float | None = None
    while child.poll() is None:
        if stopping and deadline is None:
            deadline = time.monotonic() + STOP_TIMEOUT_S
        if deadline is not None and time.monotonic() > deadline:
            print("c360: the UI did not stop in time; killing it", flush=True)
            break
        time.sleep(0.2)
    # Leave nothing behind in the group (webserver, daemon, code server).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    if stopping:
        print("c360: Dagster UI stopped", flush=True)
        return 0
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
