"""Run a dbt command with c360's settings applied (absolute C360_LAKE / C360_HOME, telemetry off).

`python -m orchestration.dbt_cli build -s staging` is `dbt build -s staging` in dbt_project/.
"""

from __future__ import annotations

import os
import sys

from orchestration.resources import dbt_executable
from orchestration.settings import DBT_PROJECT_DIR, apply_settings


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    apply_settings()
    os.chdir(DBT_PROJECT_DIR)
    command = [dbt_executable(), *args, "--profiles-dir", str(DBT_PROJECT_DIR)]
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
