"""Run the real dbt CLI against a test warehouse, with target/ and logs/ kept per test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pantau import config

DBT = Path(sys.executable).with_name("dbt")


def run_dbt(
    args: list[str],
    work_dir: Path,
    extra_env: dict[str, str] | None = None,
    project_dir: Path | None = None,
) -> subprocess.CompletedProcess:
    """`dbt <args>` as a subprocess; the caller has already called config.export_tool_env().
    project_dir: a copy of the project (the benchmark runs a frozen copy), default the real one."""
    env = {**os.environ, **(extra_env or {})}
    project = str(project_dir or config.DBT_PROJECT_DIR)
    command = [
        str(DBT),
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
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600, check=False)
