"""Run the real dbt against a test warehouse, with target/ and logs/ kept per test.

In this process, through dbt's programmatic entry point (dbtRunner), as the warehouse DAG runs
it: a `dbt` subprocess per call paid dbt's start-up (seconds of imports) every time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pantau import config


@dataclass
class DbtResult:
    returncode: int
    stdout: str  # every message dbt logged, as its console shows them
    stderr: str = ""


def run_dbt(
    args: list[str],
    work_dir: Path,
    extra_env: dict[str, str] | None = None,
    project_dir: Path | None = None,
) -> DbtResult:
    """`dbt <args>`; the caller has already called config.export_tool_env().
    extra_env: variables set for this call only. project_dir: a copy of the project (the
    benchmark runs a frozen copy), default the real one."""
    from dbt.adapters.factory import reset_adapters
    from dbt.cli.main import dbtRunner

    project = str(project_dir or config.DBT_PROJECT_DIR)
    command = [
        *args,
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    messages: list[str] = []
    saved = dict(os.environ)
    os.environ.update(extra_env or {})
    try:
        outcome = dbtRunner(callbacks=[lambda event: messages.append(event.info.msg)]).invoke(command)
    finally:
        reset_adapters()  # closes dbt's connections: a template database must have none
        os.environ.clear()
        os.environ.update(saved)
    if outcome.exception is not None:
        messages.append(f"{type(outcome.exception).__name__}: {outcome.exception}")
    return DbtResult(returncode=0 if outcome.success else 1, stdout="\n".join(messages))
