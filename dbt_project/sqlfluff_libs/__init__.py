"""Stand-ins for dbt's Jinja context, so sqlfluff can render c360's models without dbt.

sqlfluff's jinja templater (see ../.sqlfluff) exposes every public name of this package to the templates.
The stand-ins render plausible SQL: `adapter.dispatch('x', ...)` becomes a call `x(<first argument>)`,
`dbt.split_part(a, b, c)` becomes `split_part(a, b, c)`, types become DuckDB type names, and `execute` is
False, so macros that read the graph or the database take their parse-time branch. Lint only, never run.
"""

from __future__ import annotations

import json
from typing import Any

execute = False
project_name = "c360"
graph: dict[str, Any] = {"sources": {}, "nodes": {}}
flags: dict[str, Any] = {}


def env_var(name: str, default: str = "") -> str:
    return default or f"/{name.lower()}"


def fromjson(text: str, default: Any = None) -> Any:
    return json.loads(text) if text else default


def log(*_args: Any, **_kwargs: Any) -> str:
    return ""


def run_query(*_args: Any, **_kwargs: Any) -> None:
    return None


class _Exceptions:
    @staticmethod
    def raise_compiler_error(message: str) -> None:
        raise RuntimeError(message)

    @staticmethod
    def warn(_message: str) -> str:
        return ""


exceptions = _Exceptions()

# Macros that render a FROM-clause fragment rather than an expression.
_FRAGMENTS = {
    "json_array_elements": lambda expression, path, alias, index_column, element_column: (
        f"cross join (select 1 as {index_column}, {expression} as {element_column}) as {alias}"
    ),
}


class _Adapter:
    @staticmethod
    def dispatch(macro_name: str, macro_namespace: str | None = None):
        if macro_name in _FRAGMENTS:
            return _FRAGMENTS[macro_name]

        def render(*args: Any, **_kwargs: Any) -> str:
            first = next((str(arg) for arg in args if isinstance(arg, str)), "null")
            return f"{macro_name}({first})"

        return render

    @staticmethod
    def quote(identifier: str) -> str:
        return f'"{identifier}"'


adapter = _Adapter()

_TYPES = {
    "type_string": "varchar",
    "type_bigint": "bigint",
    "type_int": "integer",
    "type_float": "double",
    "type_numeric": "decimal(28, 6)",
    "type_timestamp": "timestamp",
    "type_boolean": "boolean",
}


class _Dbt:
    """dbt's cross-database macros, rendered as the plain SQL function they stand for."""

    def __getattr__(self, name: str):
        if name in _TYPES:
            return lambda: _TYPES[name]
        if name in ("cast", "safe_cast"):
            return lambda field, data_type: f"cast({field} as {data_type})"
        if name == "concat":
            return lambda fields: f"concat({', '.join(str(field) for field in fields)})"
        if name == "listagg":
            return lambda measure, delimiter_text="','", order_by_clause=None, limit_num=None: (
                f"string_agg({measure}, {delimiter_text})"
            )
        return lambda *args: f"{name}({', '.join(str(arg) for arg in args)})"


dbt = _Dbt()


class _Target:
    schema = "main"
    name = "duckdb"
    type = "duckdb"


target = _Target()


def _project_vars() -> dict[str, Any]:
    import pathlib

    import yaml

    project = pathlib.Path(__file__).resolve().parent.parent / "dbt_project.yml"
    return dict(yaml.safe_load(project.read_text(encoding="utf-8")).get("vars") or {})


_VARS = _project_vars()


def var(name: str, default: Any = None) -> Any:
    """dbt's var(): the value from dbt_project.yml, else the default, else a placeholder name."""
    if name in _VARS:
        return _VARS[name]
    return default if default is not None else "item"


class _RunStartedAt:
    @staticmethod
    def strftime(_format: str) -> str:
        return "2026-01-01 00:00:00"


run_started_at = _RunStartedAt()
invocation_id = "00000000-0000-0000-0000-000000000000"
