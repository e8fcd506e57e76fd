"""End to end under Airflow's own scheduler: `pantau serve` started from the command line, as a
data engineer would (api-server, scheduler, dag-processor and triggerer as separate processes,
LocalExecutor, metadata in PostgreSQL), and stopped with Ctrl-C.

Files dropped into the landing zone wake their ingest DAGs (AssetWatcher), each is loaded once
and gated; an accepted batch's Asset event starts the warehouse; a rejected file shows up in
the REST API as a failed task; a briefing run triggered through the REST API with the form's
Params renders its PDF and audit row; a meeting due a minute from now fires by itself, and so
does one added to the calendar after its briefing fell due (its meeting still ahead). While
it is awaited, the Airflow UI is checked in a real browser (headless Chromium, tests/browser.py)
with the login the README states: every Pantau DAG is listed with its documentation, and the
briefing's trigger form offers the Params the DAG declares (a run triggered from it carries
them). Ctrl-C then stops every process `pantau serve` started. One deployment for all of it:
each start-up of `pantau serve` costs a minute or more of a two-core machine.
"""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser import browser_context
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from pantau import config, serve
from pantau.registry import feeds

from .conftest import (
    DAG_IDS,
    PAST_MEETING,
    PRELOAD_MARKERS,
    bad_permit_file,
    drop_into_landing,
    meeting_due_in,
    preloaded,
    processes_titled,
    query,
    sample_files,
    wait_for,
    write_calendar,
)

pytestmark = pytest.mark.slow

README = (config.PROJECT_ROOT / "README.md").read_text()


def finished_runs(client: serve.AirflowClient, dag_id: str, **match) -> list[dict]:
    return [
        run
        for run in client.dag_runs(dag_id)
        if run["state"] in {"success", "failed"} and all(run.get(k) == v for k, v in match.items())
    ]


def _when(stamp: str | None) -> datetime | None:
    """A REST API timestamp (ISO 8601, "Z" or an offset) as an aware datetime."""
    return None if stamp is None else datetime.fromisoformat(stamp)


def _schedule_settled(client: serve.AirflowClient, dag_id: str) -> bool:
    """The scheduler has created every run due so far (the next is in the future) and none is
    still queued or running."""
    dag = client.get(f"/api/v2/dags/{dag_id}")
    next_run = _when(dag.get("next_dagrun_run_after"))
    if next_run is None or next_run <= datetime.now(UTC):
        return False
    return not any(run["state"] in {"queued", "running"} for run in client.dag_runs(dag_id))


def sign_in(page, base: str, password: str, attempts: int = 3) -> None:
    """Sign in through the login form. On a busy machine the form may still be hydrating when it
    is first filled (React then clears the fields and the click hits a disabled button): retry
    until the form has gone, and fail if it never does."""
    for attempt in range(1, attempts + 1):
        page.goto(base + "/", wait_until="networkidle")
        username = page.locator("input[name=username]")
        try:
            username.fill("admin")
            page.locator("input[name=password]").fill(password)
            button = page.get_by_role("button", name="Sign in")
            expect(button).to_be_enabled(timeout=30_000)
            button.click()
            username.wait_for(state="detached", timeout=60_000)
        except (PlaywrightTimeout, AssertionError):
            if attempt == attempts:
                raise
            continue
        page.wait_for_load_state("networkidle")
        return


def check_ui(served: dict, tmp_path: Path) -> None:
    """Every Pantau DAG listed and documented (each distinct documentation shown in the UI); the
    briefing's trigger form offers the DAG's Params, and the run it triggers carries them."""
    base, password, client = served["base"], served["password"], served["client"]
    assert "user `admin`" in README and "PANTAU_UI_PASSWORD" in README  # the login the README states
    manual_before = {r["dag_run_id"] for r in client.dag_runs("pantau_briefing") if r["run_type"] == "manual"}
    with browser_context(tmp_path) as browser:
        page = browser.new_page()
        page.set_default_timeout(180_000)  # a busy two-core machine renders slowly
        sign_in(page, base, password)

        def dag_link(dag_id: str):
            return page.locator(f"a[href='/dags/{dag_id}']").first

        page.goto(base + "/dags?tags=pantau", wait_until="networkidle")
        try:
            dag_link("pantau_briefing").wait_for()
        except Exception:
            page.screenshot(path=str(tmp_path / "dags.png"), full_page=True)
            raise
        listed = {a.get_attribute("href") for a in page.locator("a[href^='/dags/pantau_']").all()}
        assert {f"/dags/{dag_id}" for dag_id in DAG_IDS} <= listed

        # Every DAG carries documentation (REST API); each distinct text is opened in the UI once,
        # from its first DAG's page (the seven ingest DAGs share theirs: one file makes them all).
        # A page is opened from the list and left with Back, inside the app: a fresh page load
        # per DAG made Chromium parse the UI's scripts ten times over.
        docs = {dag_id: client.get(f"/api/v2/dags/{dag_id}/details")["doc_md"] for dag_id in DAG_IDS}
        assert all(docs.values()), docs
        shown_on = {}
        for dag_id, doc_md in docs.items():
            shown_on.setdefault(doc_md, dag_id)
        assert len(shown_on) == 4  # ingest, warehouse, briefing, housekeeping
        for doc_md, dag_id in shown_on.items():
            dag_link(dag_id).click()
            page.wait_for_url(f"{base}/dags/{dag_id}**")
            page.get_by_role("button", name="Dag Docs").click()
            dialog = page.get_by_role("dialog")
            dialog.wait_for()
            text = dialog.inner_text()
            first_line = doc_md.split("\n")[0]
            assert first_line.replace("`", "") in text, dag_id
            page.keyboard.press("Escape")
            dialog.wait_for(state="hidden")
            page.go_back()
            dag_link("pantau_briefing").wait_for()

        dag_link("pantau_briefing").click()
        page.wait_for_url(f"{base}/dags/pantau_briefing**")
        page.get_by_role("button", name="Dag Docs").wait_for()  # the DAG's page, not the list, is shown
        page.get_by_role("button", name="Trigger Dag").click()
        form = page.get_by_role("dialog")
        form.wait_for()
        text = form.inner_text()
        for param, description in [
            ("region", "Kode wilayah"),
            ("meeting_date", "Tanggal Rakor"),
            ("language", "Bahasa briefing"),
            ("deliver", "Kirim PDF lewat e-mail"),
        ]:
            assert param in text and description in text, param
        for field, value in (("#element_region", "36"), ("#element_meeting_date", "2025-10-30")):
            form.locator(field).fill(value)
            expect(form.locator(field)).to_have_value(value)
        # The dialog closes once the run is created. On a busy machine a click can land while the
        # form is still settling and do nothing: click again (at most two runs, both with these Params).
        trigger = form.get_by_role("button", name="Trigger", exact=True)
        for attempt in (1, 2):
            expect(trigger).to_be_enabled(timeout=60_000)
            trigger.click()
            try:
                expect(form).to_be_hidden(timeout=30_000 * attempt)
                break
            except AssertionError:
                page.screenshot(path=str(tmp_path / f"trigger-form-{attempt}.png"), full_page=True)
                if attempt == 2:
                    raise

    runs = wait_for(
        "the run triggered from the form",
        lambda: [
            r
            for r in client.dag_runs("pantau_briefing")
            if r["run_type"] == "manual" and r["dag_run_id"] not in manual_before
        ],
        timeout=120,
    )
    assert runs[0]["conf"]["region"] == "36" and runs[0]["conf"]["meeting_date"] == "2025-10-30"


def test_pantau_under_the_real_scheduler(cli_served, tmp_path):
    served = cli_served
    client, dsn, landing = served["client"], served["dsn"], served["landing"]

    # Every Pantau DAG is parsed, unpaused, and documented.
    dags = wait_for(
        "the DAG processor to parse every Pantau DAG",
        lambda: (
            found
            if (found := client.get("/api/v2/dags?tags=pantau&limit=100")["dags"])
            and len(found) == len(DAG_IDS)
            else None
        ),
        timeout=180,
    )
    assert not any(d["is_paused"] for d in dags)

    # Every task process is a fork of a LocalExecutor worker, which already holds what the tasks
    # import (pantau.orchestration.executors); the DAG processor, which runs no task, does not.
    roots = [served["process"].pid]
    workers = wait_for(
        "the LocalExecutor's workers",
        lambda: processes_titled(roots, "airflow worker -- LocalExecutor") or None,
        timeout=120,
    )
    assert all(preloaded(pid) == set(PRELOAD_MARKERS) for pid in workers), workers
    processors = processes_titled(roots, "airflow dag-processor")
    assert processors and not any(preloaded(pid) for pid in processors), processors

    # Unpausing makes the scheduler start each ingest DAG's latest hourly tick. Let those runs be
    # created and finish first, so that the files dropped below can only be picked up by the
    # landing-zone event (or, should the test cross a whole hour, by that hour's tick).
    ingest_dags = [f"pantau_ingest__{feed}" for feed in feeds()]
    wait_for(
        "the runs started on unpausing to finish",
        lambda: all(_schedule_settled(client, dag_id) for dag_id in ingest_dags),
        timeout=600,
    )
    dropped_at = datetime.now(UTC)

    # Files arrive (complete, by rename): the triggerer notices, the ingest DAGs run.
    staging = served["root"] / "generated"
    files = [*sample_files(served["root"]), bad_permit_file(staging)]
    names = drop_into_landing(files, staging, landing)
    settled = "select source_file, status from audit.load_ledger where status <> 'loaded'"
    ledger = dict(
        wait_for(
            "every dropped file to be loaded and gated",
            lambda: rows if len(rows := query(dsn, settled)) >= len(names) else None,
            timeout=900,
        )
    )
    assert sorted(ledger) == sorted(names)
    rejected = "imigrasi_izin_tinggal/izin_tinggal_rusak.csv"
    assert ledger.pop(rejected) == "rejected"
    assert set(ledger.values()) == {"accepted"}, ledger
    # Loaded once: one ledger row and one batch per file, and every batch went through gate 1.
    assert query(dsn, "select count(*), count(distinct file_sha256) from audit.load_ledger") == [
        (len(names), len(names))
    ]
    assert query(
        dsn,
        "select count(*) from audit.load_ledger l where validated_at is null "
        "or not exists (select 1 from audit.dq_results r where r.batch_id = l.batch_id)",
    ) == [(0,)]
    # Each file was received during a run its landing-zone event started (no waiting for the hour).
    for feed, source_file, at in query(dsn, "select feed, source_file, received_at from audit.load_ledger"):
        runs = [
            r
            for r in client.dag_runs(f"pantau_ingest__{feed}")
            if r["start_date"] and _when(r["start_date"]) >= dropped_at
        ]
        by_event = [r for r in runs if r["run_type"] == "asset_triggered"]
        hourly = [r for r in runs if r["run_type"] == "scheduled"]
        assert (
            any(_when(r["start_date"]) <= at <= (_when(r["end_date"]) or datetime.now(UTC)) for r in by_event)
            or hourly
        ), f"{source_file} was not loaded by a run its landing-zone event started: {runs}"

    # The rejected file: a failed gate-1 task in Airflow whose log names the file, seen through
    # the REST API (what an operator's alerting reads).
    permits = "pantau_ingest__imigrasi_izin_tinggal"

    def failed_gate_tasks():
        return [
            ti
            for run in client.dag_runs(permits)
            for ti in client.task_instances(permits, run["dag_run_id"])
            if ti["state"] == "failed" and ti["task_id"] == "flag_refused_files"
        ]

    failed = wait_for("the rejected file's gate-1 task to fail", failed_gate_tasks, timeout=180)
    logs = [
        json.dumps(
            client.get(
                f"/api/v2/dags/{permits}/dagRuns/{ti['dag_run_id']}/taskInstances/{ti['task_id']}"
                f"/logs/{ti['try_number']}?map_index={ti['map_index']}"
            )
        )
        for ti in failed
    ]
    assert any("izin_tinggal_rusak.csv" in log for log in logs)

    # Accepted batches' Asset events start the warehouse, which publishes the marts.
    warehouse = wait_for(
        "the warehouse DAG to finish a run started by raw Asset events",
        lambda: finished_runs(client, "pantau_warehouse", run_type="asset_triggered"),
        timeout=1200,
    )
    assert warehouse[0]["state"] == "success", warehouse[0]
    events = client.get(
        f"/api/v2/dags/pantau_warehouse/dagRuns/{warehouse[0]['dag_run_id']}/upstreamAssetEvents"
    )["asset_events"]
    assert {e["uri"] for e in events} <= {f"pantau://raw/{feed}" for feed in feeds()} and events
    assert query(dsn, "select count(*) > 0 from marts.fct_foreigners_present") == [(True,)]

    # A meeting due a minute from now: the calendar changes, the briefing DAG fires by itself.
    # Another, tomorrow, whose briefing was due two minutes ago: still made, since its meeting is
    # ahead. Airflow's EventsTimetable dropped such a briefing at the next parse of the DAG file,
    # and the first one too when a parse fell between its due time and the scheduler's turn.
    soon, overdue = meeting_due_in(60), meeting_due_in(-180, lead_days=1)
    write_calendar(served["calendar"], [soon, overdue])

    # Meanwhile a briefing by hand, through the REST API with the form's Params.
    region, meeting_date = PAST_MEETING
    manual = client.trigger(
        "pantau_briefing", {"region": region, "meeting_date": meeting_date, "language": "en"}
    )
    run = wait_for(
        "the manual briefing run",
        lambda: [
            r for r in finished_runs(client, "pantau_briefing") if r["dag_run_id"] == manual["dag_run_id"]
        ],
        timeout=300,
    )[0]
    assert run["state"] == "success", run
    (path, language) = query(
        dsn,
        "select pdf_path, language from audit.briefings where region_code = %s and meeting_date = %s",
        region,
        meeting_date,
    )[0]
    assert language == "en" and Path(path).read_bytes().startswith(b"%PDF")

    # The UI, while the meeting's time comes.
    check_ui(served, tmp_path)

    scheduled = wait_for(
        f"the briefings of {overdue['meeting_id']} and {soon['meeting_id']} to run on their own",
        lambda: (
            runs if len(runs := finished_runs(client, "pantau_briefing", run_type="scheduled")) >= 2 else None
        ),
        timeout=300,
    )
    assert [r["state"] for r in scheduled] == ["success", "success"], scheduled
    for meeting in (overdue, soon):
        (pdf,) = query(
            dsn,
            "select pdf_path from audit.briefings where region_code = %s and meeting_date = %s",
            meeting["region_code"],
            meeting["meeting_date"],
        )[0]
        assert Path(pdf).read_bytes().startswith(b"%PDF")
        assert os.path.commonpath([pdf, str(served["output"])]) == str(served["output"])

    process, log = served["process"], served["log"]
    assert process.poll() is None, "pantau serve died during the run: " + log.read_text()[-3000:]

    # Ctrl-C: pantau serve stops every process it started (task runners in their own process
    # groups included) and exits cleanly.
    started = serve.descendants([process.pid])
    assert len(started) > len(serve.COMPONENTS)
    process.send_signal(signal.SIGINT)
    assert process.wait(180) == 0, log.read_text()[-3000:]
    time.sleep(1)
    assert not serve.still_running(started)
    assert "pantau serve: stopped" in log.read_text()
