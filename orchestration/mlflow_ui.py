"""The MLflow UI over c360's local store under C360_HOME (`make mlflow-ui`), on 127.0.0.1, telemetry off."""

from __future__ import annotations

import argparse
import os
import sys

from ml.tracking import configure
from orchestration.preflight import port_problem
from orchestration.settings import apply_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("C360_MLFLOW_UI_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("C360_MLFLOW_UI_PORT", "5000")))
    args = parser.parse_args(argv)
    busy = port_problem(args.host, args.port, "C360_MLFLOW_UI_PORT (or --port)")
    if busy:
        print(f"c360: MLflow UI not started: {busy}", file=sys.stderr)
        return 1
    settings = apply_settings()
    uri = configure(settings.home)  # creates the store if no model was trained yet; telemetry off
    artifacts = settings.home / "mlflow" / "artifacts"
    mlflow = os.path.join(os.path.dirname(sys.executable), "mlflow")
    print(f"c360: MLflow UI on http://{args.host}:{args.port} (store {uri})", flush=True)
    command = [mlflow, "ui", "--backend-store-uri", uri, "--default-artifact-root", str(artifacts)]
    os.execv(mlflow, [*command, "--host", args.host, "--port", str(args.port)])
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
