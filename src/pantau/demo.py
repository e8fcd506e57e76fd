"""`pantau demo`: sample files for both pilot provinces, the whole pipeline, every due briefing.

A second demo in the same checkout reuses what has not changed, and says so:
- the sample files, when the generator's code and arguments are the ones that made them
  (kept in `<state>/demo/generated/`, copied into the landing zone for each fresh run);
- the warehouse, the briefings and the Data Docs, when the landing zone's files are all loaded
  and the code that loaded, built and rendered them (src/, dags/, dbt_project/, expectations/,
  report_templates/, devtools/) is unchanged since that run. Otherwise the demo starts its database afresh.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import shutil
from datetime import date
from pathlib import Path

from pantau import config, progress

DEMO_AS_OF = "2025-10-27"  # data cut-off of the Banten Rakor of 2025-10-30 (lead_days 3)
DEMO_DATABASE = "pantau_demo"
PROVINCES = ("36", "62")
SEED = 2025

# What the warehouse, briefings and Data Docs of a run depend on, besides the sample files.
CODE_FOLDERS = ("src", "dags", "dbt_project", "expectations", "report_templates", "devtools")
SKIPPED_FOLDERS = {"target", "logs", "dbt_packages", "__pycache__", "node_modules"}


def dev_generator():
    """The synthetic generator is development tooling (devtools/, the `dev` dependency group), not
    part of the runtime package or the production image."""
    try:
        from pantau_dev.generate import generate
    except ImportError as exc:
        raise config.ConfigError(
            "the synthetic generator is development tooling and is not installed here "
            f"({exc}); install it with `make setup` (uv sync with the dev group) in a source checkout"
        ) from exc
    return generate


def _digest(paths: list[Path], *extra: str) -> str:
    digest = hashlib.sha256()
    for item in extra:
        digest.update(item.encode() + b"\0")
    for path in sorted(paths):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and not SKIPPED_FOLDERS.intersection(path.relative_to(folder).parts)
    ]


def generator_key() -> str:
    """The generator's own source files (devtools/pantau_dev) and the demo's arguments."""
    generate = dev_generator()
    files = [Path(importlib.import_module(generate.__module__).__file__)]
    spec = importlib.util.find_spec("pantau_dev.generator")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            files += _files_under(Path(location))
    return _digest(files, *PROVINCES, str(SEED))


def code_key(generated: str) -> str:
    root = config.PROJECT_ROOT
    files = [p for folder in CODE_FOLDERS if (root / folder).is_dir() for p in _files_under(root / folder)]
    names = ("PANTAU_AS_OF", "PANTAU_WAREHOUSE_DSN", "PANTAU_PII_KEY")
    settings = [os.environ.get(name, "") for name in names]
    return _digest(files, generated, *settings)


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def ensure_sample_files(demo_dir: Path) -> tuple[Path, bool]:
    """The generated files of both provinces (regenerated only when the generator changed);
    returns the folder and whether it was reused."""
    generate = dev_generator()
    generated = demo_dir / "generated"
    key = generator_key()
    marker = generated / ".generator-key"
    if marker.exists() and marker.read_text(encoding="utf-8") == key:
        return generated, True
    shutil.rmtree(generated, ignore_errors=True)
    landing = generated / "landing"
    for province in PROVINCES:
        with progress.stage(f"generate sample files for province {province}"):
            generate(province, landing, seed=SEED, truth=generated / f"ground_truth_{province}.json")
    marker.write_text(key, encoding="utf-8")
    return generated, False


def _pending_files(landing: Path) -> int:
    """Files waiting in the landing zone (not yet archived or quarantined)."""
    if not landing.is_dir():
        return 0
    return sum(
        1
        for folder in landing.iterdir()
        if folder.is_dir() and not folder.name.startswith("_")
        for path in folder.rglob("*")
        if path.is_file()
    )


def _warehouse_ready() -> bool:
    import psycopg

    try:
        with psycopg.connect(config.warehouse_dsn(), connect_timeout=5) as conn:
            return bool(conn.execute("select to_regclass('marts.fct_findings') is not null").fetchone()[0])
    except psycopg.OperationalError:
        return False


def run_demo() -> int:
    """Everything a newcomer needs to see: own database, own landing zone, both pilot provinces."""
    from pantau import report, runner, warehouse

    config.ensure_demo_pii_key()
    os.environ.setdefault("PANTAU_AS_OF", DEMO_AS_OF)
    os.environ.setdefault("PANTAU_SETTLE_SECONDS", "0")
    owns_database = not os.environ.get("PANTAU_WAREHOUSE_DSN")
    if owns_database:
        os.environ["PANTAU_WAREHOUSE_DSN"] = config.with_database(config.warehouse_dsn(), DEMO_DATABASE)
        config.warehouse_dsn.cache_clear()
    demo_dir = config.STATE_DIR / "demo"
    landing = demo_dir / "landing"
    state_path = demo_dir / "last-run.json"

    generated, reused_files = ensure_sample_files(demo_dir)
    if reused_files:
        progress.emit(f"sample files unchanged since the last demo: reusing {generated / 'landing'}")
    key = code_key(generator_key())
    state = _read_state(state_path)
    reuse = (
        reused_files
        and state.get("code_key") == key
        and _pending_files(landing) == 0
        and _warehouse_ready()
        and all(Path(p).exists() for p in state.get("briefings", []))
    )
    if reuse:
        progress.emit(
            "warehouse reused: every sample file is loaded and the code is unchanged since the last demo "
            f"(remove {demo_dir} to start over)"
        )
        briefings = state["briefings"]
        data_docs = state.get("data_docs")
        print(report.format_status(report.status()))
    else:
        state_path.unlink(missing_ok=True)
        with progress.stage("fresh demo landing zone" + (" and warehouse" if owns_database else "")):
            if owns_database:
                warehouse.drop_database(config.warehouse_dsn())
            shutil.rmtree(landing, ignore_errors=True)
            shutil.copytree(generated / "landing", landing)
            for truth in generated.glob("ground_truth_*.json"):
                shutil.copy2(truth, demo_dir / truth.name)
        summary = runner.run_pipeline(landing)
        print(report.format_run(summary))
        if not summary.ok:
            return 1
        from pantau.briefing.parallel import render_many
        from pantau.calendar import load_meetings

        as_of = date.fromisoformat(os.environ["PANTAU_AS_OF"])
        due = [(m.region_code, m.meeting_date) for m in load_meetings() if m.data_cutoff <= as_of]
        results = render_many(due)
        briefings = [str(r.path) for r in results]
        data_docs = summary.data_docs
        state_path.write_text(
            json.dumps({"code_key": key, "briefings": briefings, "data_docs": data_docs}, indent=2),
            encoding="utf-8",
        )
    print("\nBriefings:")
    for path in briefings:
        print(f"  {path}")
    print(f"\nData Docs: {data_docs}")
    return 0
