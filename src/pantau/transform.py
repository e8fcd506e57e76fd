"""The warehouse build: one `dbt build` of the whole project, in this process, with per-node status.

One invocation instead of one per node (Cosmos's task group ran 89 `dbt build`s, each paying
dbt's start-up of a few seconds): dbt runs the graph itself, `threads` nodes at a time, and its
event stream gives the status of every seed, model, snapshot and test as it finishes. Those go
to the log (dbt's own lines) and, one line per seed/model/snapshot, to `pantau.progress`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pantau import config, progress

log = logging.getLogger(__name__)

BUILT = ("seed", "model", "snapshot")  # the nodes that make tables; tests are counted, not listed
TESTS = ("test", "unit_test")


class DbtFailed(RuntimeError):
    pass


@dataclass
class BuildResult:
    statuses: dict[str, str] = field(default_factory=dict)  # unique_id -> dbt's status
    seconds: float = 0.0

    @property
    def failed(self) -> list[str]:
        return sorted(uid for uid, status in self.statuses.items() if status in {"error", "fail"})

    def counts(self) -> Counter:
        return Counter(self.statuses.values())


def dbt_paths() -> dict[str, Path]:
    """Where dbt writes its artefacts: under the state folder, so concurrent runs from one checkout
    (the tests' workers, a demo) never share a target/ folder. dbt re-uses the partial parse kept
    in it when the settings are unchanged."""
    root = config.STATE_DIR / "dbt"
    return {"target": root / "target", "logs": root / "logs"}


def dbt_args(command: str, *args: str) -> list[str]:
    project = str(config.DBT_PROJECT_DIR)
    paths = dbt_paths()
    return [
        command,
        *args,
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(paths["target"]),
        "--log-path",
        str(paths["logs"]),
    ]


def invoke(command: str, *args: str) -> None:
    """`dbt <command> <args> --quiet` in this process (dbt's start-up, a few seconds of imports,
    is paid once per process, not once per command); raises DbtFailed when it fails."""
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(dbt_args(command, *args, "--quiet"))
    if not outcome.success:
        failed = [
            r.node.unique_id
            for r in getattr(outcome.result, "results", None) or []
            if str(r.status) in {"error", "fail"}
        ]
        why = ", ".join(failed) or str(outcome.exception)
        raise DbtFailed(f"dbt {' '.join((command, *args))} failed: {why} (dbt's messages above)")


def _planned(manifest_path: Path) -> Counter:
    """Nodes of each kind `dbt build` will run, from the manifest it has just parsed."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Counter()
    nodes = manifest.get("nodes", {}).values()
    kinds = Counter(n["resource_type"] for n in nodes if n.get("config", {}).get("enabled", True))
    return kinds


# The status macros/seed_unchanged.sql gives a seed whose file and settings are already loaded.
SEED_KEPT_STATUS = "UNCHANGED"

# dbt's unit tests check the models' SQL against fixed input rows, the same every run: the suite
# runs them (tests/dbt); the warehouse build, dbt's own advice for production, does not.
WAREHOUSE_BUILD_EXCLUDES = ("--exclude-resource-type", "unit_test")


def build(*, threads: int | None = None, extra: list[str] | None = None) -> BuildResult:
    """`dbt build` of the whole project (its unit tests aside); raises DbtFailed naming the
    failed nodes."""
    from dbt.cli.main import dbtRunner

    threads = threads or int(os.environ.get("PANTAU_DBT_THREADS", 4))
    result = BuildResult()
    planned = _planned(dbt_paths()["target"] / "manifest.json")
    total_built = sum(planned[k] for k in BUILT)
    done = Counter()

    def on_event(event) -> None:
        name = event.info.name
        if name != "NodeFinished":
            return
        info = event.data.node_info
        kind = info.resource_type
        status = info.node_status
        result.statuses[info.unique_id] = status
        if kind in BUILT:
            done["built"] += 1
            seconds = ""
            if info.node_started_at and info.node_finished_at:
                started, finished = map(datetime.fromisoformat, (info.node_started_at, info.node_finished_at))
                seconds = f" ({(finished - started).total_seconds():.1f} s)"
            of = f" of {total_built}" if total_built else ""
            kept = " (unchanged, kept)" if event.data.run_result.message.startswith(SEED_KEPT_STATUS) else ""
            progress.emit(f"dbt: {kind} {info.node_name} {status}{kept}, {done['built']}{of}{seconds}")
        elif status in {"error", "fail"}:
            progress.emit(f"dbt: {kind} {info.node_name} {status}")
        else:
            done["tests"] += 1

    begun = time.monotonic()
    runner = dbtRunner(callbacks=[on_event])
    outcome = runner.invoke(
        dbt_args("build", "--threads", str(threads), *WAREHOUSE_BUILD_EXCLUDES, *(extra or []))
    )
    result.seconds = time.monotonic() - begun
    tests = sum(1 for uid, _ in result.statuses.items() if uid.split(".")[0] in TESTS)
    counts = result.counts()
    progress.emit(
        f"dbt: {done['built']} seeds/models/snapshots and {tests} tests in {result.seconds:.0f} s "
        f"({', '.join(f'{n} {status}' for status, n in sorted(counts.items()))})"
    )
    if not outcome.success:
        failed = ", ".join(result.failed) or str(outcome.exception)
        raise DbtFailed(f"dbt build failed: {failed}")
    return result
