"""The Airflow UI in a real browser under `pantau serve`, started as a data engineer would (the
command line), logged into with the login the README states, then stopped with Ctrl-C.

Headless Chromium is Debian's (tests/browser.py): every Pantau DAG is listed with its
documentation, and the briefing's trigger form offers the Params the DAG declares (and a run
triggered from it carries them). Ctrl-C then stops every process `pantau serve` started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from browser import browser_context
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from pantau import config, serve
from pantau.registry import feeds

from .conftest import wait_for, write_calendar

pytestmark = pytest.mark.slow

README = (config.PROJECT_ROOT / "README.md").read_text()
DAG_IDS = [
    *(f"pantau_ingest__{f}" for f in feeds()),
    "pantau_warehouse",
    "pantau_briefing",
    "pantau_housekeeping",
]


@pytest.fixture
def cli_serve(tmp_path, make_database):
    """`pantau serve --port P` as a subprocess with its own state, databases and logins."""
    dsn = make_database()
    port = serve.free_port()
    calendar = tmp_path / "meeting_calendar.csv"
    write_calendar(calendar)
    suffix = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "PANTAU_HOME": str(tmp_path / "state"),
        "PANTAU_WAREHOUSE_DSN": dsn,
        "PANTAU_LANDING_DIR": str(tmp_path / "landing"),
        "PANTAU_OUTPUT_DIR": str(tmp_path / "output"),
        "PANTAU_MEETING_CALENDAR": str(calendar),
        "PANTAU_UI_PASSWORD": uuid.uuid4().hex,
        "PANTAU_AIRFLOW_DATABASE": f"pantau_test_af_{suffix}",
        "PANTAU_SERVICE_LOGIN_PREFIX": f"pantau_t{suffix}",
    }
    log = tmp_path / "serve.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("pantau")), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches it as it would from a terminal: SIGINT to it
        )
    try:
        yield {"process": process, "port": port, "env": env, "log": log, "dsn": dsn}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        serve.drop_deployment(
            serve.ServeSettings(
                warehouse_dsn=dsn,
                metadata_database=env["PANTAU_AIRFLOW_DATABASE"],
                login_prefix=env["PANTAU_SERVICE_LOGIN_PREFIX"],
            )
        )


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


def test_airflow_ui_shows_every_dag_and_the_briefing_form_then_ctrl_c_stops_everything(cli_serve, tmp_path):
    process, base = cli_serve["process"], f"http://127.0.0.1:{cli_serve['port']}"
    password = cli_serve["env"]["PANTAU_UI_PASSWORD"]
    assert "user `admin`" in README and "PANTAU_UI_PASSWORD" in README  # the login the README states

    def healthy():
        assert process.poll() is None, cli_serve["log"].read_text()
        try:
            client = serve.AirflowClient(base, password)
            dags = client.get("/api/v2/dags?tags=pantau&limit=100")["dags"]
        except OSError:
            return None
        return client if len(dags) == len(DAG_IDS) else None

    client = wait_for("pantau serve to come up with every DAG parsed", healthy, timeout=600, every=3)
    wait_for(
        "pantau serve to print where the UI is",
        lambda: f"Airflow UI: {base}" in cli_serve["log"].read_text(),
        timeout=300,
    )

    with browser_context(tmp_path) as browser:
        page = browser.new_page()
        page.set_default_timeout(180_000)  # a busy two-core machine renders slowly
        sign_in(page, base, password)

        page.goto(base + "/dags?tags=pantau", wait_until="networkidle")
        try:
            page.locator("a[href='/dags/pantau_briefing']").first.wait_for()
        except Exception:
            page.screenshot(path=str(tmp_path / "dags.png"), full_page=True)
            raise
        listed = {a.get_attribute("href") for a in page.locator("a[href^='/dags/pantau_']").all()}
        assert {f"/dags/{dag_id}" for dag_id in DAG_IDS} <= listed

        for dag_id in DAG_IDS:
            page.goto(f"{base}/dags/{dag_id}", wait_until="networkidle")
            page.get_by_role("button", name="Dag Docs").click()
            docs = page.get_by_role("dialog")
            docs.wait_for()
            text = docs.inner_text()
            first_line = client.get(f"/api/v2/dags/{dag_id}/details")["doc_md"].split("\n")[0]
            assert first_line.replace("`", "") in text, dag_id
            page.keyboard.press("Escape")
            docs.wait_for(state="hidden")

        page.goto(f"{base}/dags/pantau_briefing", wait_until="networkidle")
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
        form.locator("#element_region").fill("36")
        form.locator("#element_meeting_date").fill("2025-10-30")
        form.get_by_role("button", name="Trigger", exact=True).click()

    runs = wait_for(
        "the run triggered from the form",
        lambda: [r for r in client.dag_runs("pantau_briefing") if r["run_type"] == "manual"],
        timeout=120,
    )
    assert runs[0]["conf"]["region"] == "36" and runs[0]["conf"]["meeting_date"] == "2025-10-30"

    # Ctrl-C: pantau serve stops every process it started and exits cleanly.
    started = serve.descendants([process.pid])
    assert len(started) > len(serve.COMPONENTS)
    process.send_signal(signal.SIGINT)
    assert process.wait(180) == 0, cli_serve["log"].read_text()[-3000:]
    time.sleep(1)
    assert not serve.still_running(started)
    assert "pantau serve: stopped" in cli_serve["log"].read_text()
