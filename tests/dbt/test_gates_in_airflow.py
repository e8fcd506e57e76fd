"""Gates that gate, as Airflow shows them (real `dag.test()` runs, real PostgreSQL, dbt and GX).

Gate 1: a file that is rejected or quarantined fails the run's `flag_refused_files` task (an
alert), while the feed's good file still loads and its Asset is emitted. Gate 2: with real marts
built by the warehouse DAG (one `dbt build`, connected through an Airflow connection as in
deployment), a
blocking gate-2 failure fails `publish_marts`, emits no `pantau://marts` event, and the briefing
that follows is rendered as not validated and not sent.
"""

from __future__ import annotations

import psycopg
import pytest
import raw_rows
from psycopg.conninfo import make_conninfo
from sqlalchemy import select

from pantau import config
from pantau.orchestration import airflow_local, tasks

pytestmark = pytest.mark.slow

PERMITS = "imigrasi_izin_tinggal"
HEADER = "no_izin;jenis_izin;kewarganegaraan;no_paspor;tanggal_terbit;tanggal_berakhir;kabupaten_kota\n"


def asset_events(uri: str, run_id: str) -> list:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.sdk import Asset
    from airflow.utils.session import create_session

    uri = Asset(uri).uri  # as Airflow stores it ("pantau://marts" gains a trailing slash)
    with create_session() as session:
        query = (
            select(AssetEvent.source_task_id, AssetEvent.source_map_index)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .where(AssetModel.uri == uri, AssetEvent.source_run_id == run_id)
        )
        return list(session.execute(query).all())


def task_states(run) -> dict[tuple[str, int], str]:
    return {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}


@pytest.fixture
def airflow_dags(monkeypatch, tmp_path):
    monkeypatch.setenv("PANTAU_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("PANTAU_SETTLE_SECONDS", "0")
    airflow_local.ensure_metadata_db()
    return airflow_local.load_dags()


def test_rejected_and_quarantined_files_fail_their_task_and_the_good_file_publishes(
    warehouse_db, airflow_dags, monkeypatch, tmp_path
):
    landing = tmp_path / "landing"
    folder = landing / PERMITS
    folder.mkdir(parents=True)
    (folder / "a_baik.csv").write_text(
        HEADER + "GOOD-1;ITAS;Jepang;TZ9999999;01/09/2025;01/09/2026;Kota Cilegon\n", encoding="utf-8"
    )
    (folder / "b_ditolak.csv").write_text(  # an unknown permit type: gate 1 rejects the batch
        HEADER
        + "".join(f"BAD-{i};VISA-XYZ;Jepang;TZ{i:07d};01/09/2025;01/09/2026;Cilegon\n" for i in range(5)),
        encoding="utf-8",
    )
    (folder / "c_rusak.csv").write_text("foo;bar\n1;2\n", encoding="utf-8")  # no required column: quarantined
    monkeypatch.setenv("PANTAU_LANDING_DIR", str(landing))
    config.export_tool_env()

    run = airflow_local.run_dag(airflow_dags[f"pantau_ingest__{PERMITS}"])

    with psycopg.connect(warehouse_db) as conn:
        ledger = dict(conn.execute("select source_file, status from audit.load_ledger").fetchall())
    assert ledger == {
        f"{PERMITS}/a_baik.csv": "accepted",
        f"{PERMITS}/b_ditolak.csv": "rejected",
        f"{PERMITS}/c_rusak.csv": "quarantined",
    }
    states = task_states(run)
    assert states.pop(("flag_refused_files", -1)) == "failed"
    assert set(states.values()) == {"success"}, states
    # Exactly one Asset event, from the run's accepted batch (the warehouse DAG rebuilds from it).
    assert asset_events(f"pantau://raw/{PERMITS}", run.run_id) == [("publish_batches", -1)]


@pytest.fixture
def warehouse_by_connection(warehouse_db, monkeypatch):
    """The warehouse reachable only through the Airflow connection, as in deployment: the DSN
    variable points at a database that does not exist, so any task using it would fail."""
    # Local PostgreSQL trusts the test user; the password is there as in deployment.
    monkeypatch.setenv(
        "AIRFLOW_CONN_PANTAU_WAREHOUSE_TEST",
        tasks.connection_env(make_conninfo(warehouse_db, password="unused")),
    )
    monkeypatch.setenv(tasks.CONN_ID_ENV, "pantau_warehouse_test")
    monkeypatch.setenv("PANTAU_WAREHOUSE_DSN", config.with_database(warehouse_db, "pantau_no_such_database"))
    for name in ("PANTAU_PG_HOST", "PANTAU_PG_PORT", "PANTAU_PG_USER", "PANTAU_PG_DBNAME", "PGOPTIONS"):
        monkeypatch.delenv(name, raising=False)
    config.warehouse_dsn.cache_clear()
    yield warehouse_db
    config.warehouse_dsn.cache_clear()


def test_blocking_gate2_failure_stops_the_marts_asset_and_the_briefing(warehouse_by_connection, airflow_dags):
    dsn = warehouse_by_connection
    raw_rows.load_all(dsn)
    warehouse_dag = airflow_dags["pantau_warehouse"]
    assert "build_warehouse" in warehouse_dag.task_dict  # real dbt, one build

    built = airflow_local.run_dag(warehouse_dag)
    assert str(built.state) == "success", task_states(built)
    assert asset_events("pantau://marts", built.run_id) == [("publish_marts", -1)]

    # The marts now disagree with themselves: a Banten kab/kota counted under another province.
    with psycopg.connect(dsn) as conn:
        changed = conn.execute(
            "update marts.fct_foreigners_present set province_code = '62' where region_code like '36.%%'"
        ).rowcount
    assert changed > 0
    publish_only = warehouse_dag.partial_subset(task_ids=["publish_marts"], include_upstream=False)
    refused = airflow_local.run_dag(publish_only)
    assert str(refused.state) == "failed"
    assert task_states(refused) == {("publish_marts", -1): "failed"}
    assert asset_events("pantau://marts", refused.run_id) == []

    # The briefing (the real DAG) is rendered, marked not validated, and not sent.
    briefing_dag = airflow_dags["pantau_briefing"]
    form = {"region": "36.73", "meeting_date": "2025-10-28", "language": "id", "deliver": True}
    rendered = airflow_local.run_dag(briefing_dag, conf=form)
    assert str(rendered.state) == "success"
    with psycopg.connect(dsn) as conn:
        quality, delivery = conn.execute(
            "select quality_status, delivery_status from audit.briefings "
            "where briefing_id = 'briefing_36.73_2025-10-28_id'"
        ).fetchone()
    assert (quality, delivery) == ("mart_failed", "refused")
