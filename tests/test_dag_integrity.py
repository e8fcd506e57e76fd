"""Every DAG imports, has no cycles, and carries an owner, tags and retries; parsing stays fast."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from pantau import config
from pantau.orchestration import airflow_local
from pantau.orchestration.schedule import BriefingTimetable
from pantau.registry import feeds


@pytest.fixture(scope="module")
def dags():
    airflow_local.configure()
    return airflow_local.load_dags()


def test_every_dag_file_imports(dags):
    expected = {f"pantau_ingest__{name}" for name in feeds()} | {
        "pantau_warehouse",
        "pantau_briefing",
        "pantau_housekeeping",
    }
    assert expected <= set(dags)


def test_dags_have_owner_tags_retries_and_docs(dags):
    for dag_id, dag in dags.items():
        assert dag.tags and "pantau" in dag.tags, dag_id
        assert dag.doc_md, f"{dag_id} has no documentation"
        assert not dag.catchup, dag_id
        for task in dag.tasks:
            assert task.owner == "pantau-data", f"{dag_id}.{task.task_id}"
            assert task.retries is not None, f"{dag_id}.{task.task_id}"


def test_no_cycles(dags):
    for dag_id, dag in dags.items():
        # topological_sort raises on a cycle
        assert len(list(dag.topological_sort())) == len(dag.tasks), dag_id


def test_warehouse_dag_is_scheduled_on_every_raw_asset(dags):
    condition = dags["pantau_warehouse"].timetable.asset_condition
    uris = {asset.uri for asset in condition.objects}
    assert uris == {f"pantau://raw/{name}" for name in feeds()}


def test_housekeeping_follows_each_hour_of_ingest(dags):
    """Half past every hour: rejected files reach the Data Docs within the hour, with no rebuild."""
    ingest = dags[f"pantau_ingest__{next(iter(feeds()))}"]
    hourly = ingest.timetable.timetable.expression
    assert (hourly, dags["pantau_housekeeping"].schedule) == ("0 * * * *", "30 * * * *")


def test_ingest_runs_when_a_file_lands_and_hourly_as_a_fallback(dags):
    """Each ingest DAG watches its own landing folder (AssetWatcher with pantau's trigger)."""
    for name in feeds():
        timetable = dags[f"pantau_ingest__{name}"].timetable
        assert timetable.timetable.expression == "0 * * * *", name
        asset = timetable.asset_condition
        assert asset.uri == f"pantau://landing/{name}"
        (watcher,) = asset.watchers
        classpath, kwargs = watcher.trigger.serialize()
        assert classpath == "pantau.orchestration.triggers.LandingFileTrigger"
        assert kwargs["feed"] == name and kwargs["landing"] == str(config.landing_dir().resolve())


def test_briefing_dag_keeps_its_timetable_through_serialization(dags):
    """The DAG processor stores DAGs serialized and the scheduler computes runs from that copy:
    the briefing DAG's own timetable (registered by Pantau's Airflow plugin) must come back whole."""
    from airflow.serialization.serialized_objects import DagSerialization

    dag = dags["pantau_briefing"]
    stored = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    assert type(stored.timetable) is type(dag.timetable) is BriefingTimetable
    assert stored.timetable.event_dates == dag.timetable.event_dates
    assert stored.timetable.keep_until == dag.timetable.keep_until
    assert stored.timetable.summary == dag.timetable.summary


def test_warehouse_dag_runs_one_dbt_build(dags):
    """One task runs the whole dbt build (per-node tasks paid dbt's start-up each: RESULTS.md)."""
    dag = dags["pantau_warehouse"]
    order = [t.task_id for t in dag.topological_sort()]
    assert order == ["wait_for_quiet_landing", "prepare_warehouse", "build_warehouse", "publish_marts"]


def test_ingest_dag_has_one_load_and_one_gate_task_per_run(dags):
    """Not one mapped task per file: a feed run loads its files in one task and judges them in one."""
    feed_name = next(iter(feeds()))
    dag = dags[f"pantau_ingest__{feed_name}"]
    tasks = {t.task_id: t for t in dag.tasks}
    assert set(tasks) == {
        "fetch_sources",
        "discover_files",
        "validate_leftovers",
        "load_batches",
        "validate_raw",
        "publish_batches",
        "flag_refused_files",
        "send_feedback",
    }
    assert not any(type(t).__name__ == "MappedOperator" for t in dag.tasks)
    assert tasks["validate_raw"].upstream_task_ids == {"load_batches"}
    assert tasks["publish_batches"].upstream_task_ids == {"validate_raw"}
    assert tasks["flag_refused_files"].upstream_task_ids == {"validate_raw"}
    assert [asset.uri for asset in tasks["publish_batches"].outlets] == [f"pantau://raw/{feed_name}"]


def test_dag_folder_parses_fast_without_heavy_imports():
    """A fresh interpreter parses every DAG file in under 5 s of CPU and never imports GX or
    WeasyPrint. CPU time, not wall time: on a shared 2-core machine wall time measures the
    neighbours."""
    code = (
        "import sys, time; t = time.monotonic();"
        "from pantau.orchestration import airflow_local; airflow_local.configure();"
        "import airflow;"  # Airflow's own import time is not ours to count
        "t = time.process_time(); dags = airflow_local.load_dags(); elapsed = time.process_time() - t;"
        "heavy = [m for m in ('great_expectations', 'weasyprint', 'pandas') if m in sys.modules];"
        "print(elapsed, len(dags), ','.join(heavy))"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=config.PROJECT_ROOT
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    elapsed, count, heavy = out.split(" ") if out.count(" ") == 2 else (*out.split(" "), "")
    assert int(count) >= len(feeds()) + 3
    assert float(elapsed) < 5.0, f"DAG folder took {elapsed} s to parse"
    assert heavy == "", f"DAG parsing imported {heavy}"


def test_briefing_schedule_reads_the_calendar(dags):
    from pantau.calendar import load_meetings

    timetable = dags["pantau_briefing"].timetable
    meetings = load_meetings()
    due = sorted({m.briefing_due_at for m in meetings})  # meetings due together share a run
    assert [e.timestamp() for e in timetable.event_dates] == [d.timestamp() for d in due]
    until = [max(m.briefing_wanted_until for m in meetings if m.briefing_due_at == d) for d in due]
    assert [u.timestamp() for u in timetable.keep_until] == [u.timestamp() for u in until]
    # measured here so a slow calendar read would show up in the parse-time test too
    start = time.monotonic()
    load_meetings()
    assert time.monotonic() - start < 1


def test_heavy_work_runs_in_bounded_pools(dags):
    """Gate 1, dbt and rendering each take slots from a pool of their own (pantau serve sizes them)."""
    from pantau import serve
    from pantau.orchestration.dag_defaults import POOL_DBT, POOL_GATE1, POOL_RENDER

    assert set(serve.POOLS) == {POOL_GATE1, POOL_DBT, POOL_RENDER}
    ingest = dags[f"pantau_ingest__{next(iter(feeds()))}"]
    assert ingest.get_task("validate_raw").pool == POOL_GATE1
    assert dags["pantau_warehouse"].get_task("build_warehouse").pool == POOL_DBT  # the one `dbt build`
    assert dags["pantau_briefing"].get_task("render_briefing").pool == POOL_RENDER
    assert dags["pantau_housekeeping"].get_task("update_data_docs").pool == POOL_RENDER
