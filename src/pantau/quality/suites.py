"""Quality suites as code: the reviewable YAML files under `expectations/`, read without GX.

One file per table, named `<layer>__<table>.yml`. Each entry is a GX expectation type with its
kwargs, plus what Pantau adds: `severity` (blocking rejects the batch, warning is only recorded)
and a short Indonesian / English description that auditors read in `audit.dq_results`.
A regex check on a code column (few distinct values) may say `distinct_values: true`: the regex
is then matched once per distinct value instead of once per row (`gx_expectations`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pantau import config
from pantau.quality import sql_checks

SEVERITIES = ("blocking", "warning")
# Kwargs holding SQL, in which the fragments of pantau.quality.sql_checks are expanded.
QUERY_KWARGS = ("check_query", "rows_query", "unexpected_rows_query")
# The one expectation type that may be validated per distinct value (`distinct_values: true`).
DISTINCT_VALUES_TYPE = "expect_column_values_to_match_regex"


class SuiteError(ValueError):
    """A suite file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict[str, Any]
    severity: str
    description: str
    distinct_values: bool = False

    @property
    def columns(self) -> list[str]:
        """The columns whose values this expectation may report back (for masking personal data)."""
        names = [self.kwargs[key] for key in ("column", "column_A", "column_B") if key in self.kwargs]
        names += list(self.kwargs.get("column_list", []))
        return names


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    path: Path
    expectations: tuple[ExpectationSpec, ...]
    feed: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def blocking(self) -> list[ExpectationSpec]:
        return [e for e in self.expectations if e.severity == "blocking"]


def suite_path(name: str) -> Path:
    return config.EXPECTATIONS_DIR / f"{name}.yml"


def parse_suite(path: Path) -> SuiteSpec:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    name = data.get("suite") or path.stem
    if name != path.stem:
        raise SuiteError(f"{path}: suite name {name!r} must match the file name {path.stem!r}")
    entries = data.get("expectations") or []
    if not entries:
        raise SuiteError(f"{path}: no expectations")
    specs = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name} entry {number}"
        if not isinstance(entry, dict) or "type" not in entry:
            raise SuiteError(f"{where}: each entry needs `type`, `kwargs`, `severity`, `description`")
        severity = entry.get("severity")
        if severity not in SEVERITIES:
            raise SuiteError(f"{where}: severity must be one of {SEVERITIES}, got {severity!r}")
        description = str(entry.get("description") or "").strip()
        if not description:
            raise SuiteError(f"{where}: a description is required (auditors read it)")
        kwargs = dict(entry.get("kwargs") or {})
        for key in QUERY_KWARGS:  # shared SQL fragments (pantau.quality.sql_checks)
            if isinstance(kwargs.get(key), str):
                kwargs[key] = sql_checks.expand(kwargs[key], feed=data.get("feed"))
        distinct_values = entry.get("distinct_values", False)
        if distinct_values not in (True, False) or (
            distinct_values and entry["type"] != DISTINCT_VALUES_TYPE
        ):
            raise SuiteError(f"{where}: distinct_values: true is for {DISTINCT_VALUES_TYPE} only")
        specs.append(
            ExpectationSpec(
                type=str(entry["type"]),
                kwargs=kwargs,
                severity=severity,
                description=description,
                distinct_values=distinct_values,
            )
        )
    descriptions = [s.description for s in specs]
    if len(set(descriptions)) != len(descriptions):
        raise SuiteError(f"{path}: descriptions must be unique within a suite (they name the checks)")
    known = {"suite", "feed", "patterns", "expectations"}
    return SuiteSpec(
        name=name,
        path=path,
        expectations=tuple(specs),
        feed=data.get("feed"),
        meta={k: v for k, v in data.items() if k not in known},
    )


@cache
def _load_cached(path: Path, mtime_ns: int) -> SuiteSpec:
    return parse_suite(path)


def load_suite(name: str) -> SuiteSpec:
    path = suite_path(name)
    if not path.exists():
        raise SuiteError(f"no suite file {path} (expected one per table, named <layer>__<table>.yml)")
    return _load_cached(path, path.stat().st_mtime_ns)


def all_suite_names() -> list[str]:
    return sorted(p.stem for p in config.EXPECTATIONS_DIR.glob("*__*.yml"))
