"""End to end: generated agency files -> Airflow DAGs -> raw, gate 1, dbt marts -> briefing PDF.

The package's one pipeline run (conftest.py: generated Banten and Bali files, real PostgreSQL,
real `dag.test()` runs of every DAG, one real `dbt build`, real GX), checked against the
generator's ground truth; then a rerun, a duplicate file and a file failing a blocking expectation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
from pathlib import Path

import psycopg
import pytest
from pypdf import PdfReader

from pantau import runner, transform

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

PROVINCE = "36"
MART_TABLES = ["marts.fct_foreigners_present", "marts.fct_findings", "marts.dim_regions"]


def query(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def report_text(summary) -> str:
    from pantau import report

    return report.format_run(summary)


def mart_fingerprint(dsn: str) -> dict[str, str]:
    out = {}
    for table in MART_TABLES:
        rows = sorted(map(repr, query(dsn, f"select * from {table}")))
        out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def person_key(passport_norm: str, country_code: str) -> str:
    message = f"{passport_norm}|{country_code}".encode()
    return hmac.new(os.environ["PANTAU_PII_KEY"].encode(), message, hashlib.sha256).hexdigest()


def test_every_dag_run_succeeds(pipeline):
    assert pipeline["summary"].dag_states, "no DAG ran"
    assert all(state == "success" for state in pipeline["summary"].dag_states.values()), pipeline[
        "summary"
    ].dag_states


def test_the_warehouse_build_keeps_loaded_seeds_and_leaves_unit_tests_to_the_suite(pipeline):
    """The reference seeds loaded before the first gate are kept, the others loaded; data tests
    run on the data, dbt's unit tests (fixed inputs: the suite runs them) do not."""
    results = pipeline["build_results"]
    kinds = {uid.split(".")[0] for uid in results}
    assert "test" in kinds and "unit_test" not in kinds, kinds
    seeds = {uid.split(".")[-1]: r["message"] for uid, r in results.items() if uid.startswith("seed.")}
    kept = {name for name, message in seeds.items() if message.startswith(transform.SEED_KEPT_STATUS)}
    assert kept == set(runner.REFERENCE_SEEDS), seeds


def test_first_run_judges_files_against_the_reference_seeds(pipeline):
    """The seeds are loaded before the first files are validated: every reference check ran."""
    rows = query(
        pipeline["dsn"],
        "select count(*) filter (where observed_value like 'not evaluable%%'), "
        "count(*) filter (where expectation_config ? 'requires') from audit.dq_results",
    )
    not_evaluable, reference_checks = rows[0]
    assert reference_checks > 0 and not_evaluable == 0


def test_raw_rows_match_ground_truth(pipeline):
    truths = pipeline["truths"].values()
    for feed_name in pipeline["truths"][PROVINCE]["feeds"]:
        rows = sum(truth["feeds"][feed_name]["rows"] for truth in truths)
        loaded = query(pipeline["dsn"], f"select count(*) from raw.{feed_name}")[0][0]
        rejected = query(pipeline["dsn"], f"select count(*) from raw.{feed_name}__rejects")[0][0]
        assert loaded + rejected == rows, feed_name
        files = query(pipeline["dsn"], "select count(*) from audit.load_ledger where feed = %s", feed_name)[
            0
        ][0]
        assert files == sum(truth["feeds"][feed_name]["files"] for truth in truths), feed_name


def test_presence_mart_matches_ground_truth(pipeline):
    rows = query(
        pipeline["dsn"],
        "select region_code, country_code, foreigner_count from marts.fct_foreigners_present",
    )
    got = {(r, c): n for r, c, n in rows}
    expected = {
        (p["region_code"], p["country_code"]): p["count"]
        for truth in pipeline["truths"].values()
        for p in truth["present"]
    }
    assert got == expected


def test_overstay_findings_match_ground_truth(pipeline):
    planted = {
        person_key(f["passport_norm"], f["country_code"])
        for truth in pipeline["truths"].values()
        for f in truth["findings"]
        if f["finding_code"] == "OVERSTAY"
    }
    found = {
        key
        for (key,) in query(
            pipeline["dsn"], "select person_key from marts.fct_findings where finding_code = 'OVERSTAY'"
        )
    }
    assert planted and found == planted


def test_no_personal_data_in_marts(pipeline):
    columns = query(
        pipeline["dsn"],
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'",
    )
    names = {c for _, c in columns}
    assert not names & {"nama", "nama_tamu", "no_paspor", "passport_norm", "nama_tka", "nama_peneliti"}


def test_briefing_pdf_shows_the_mart_figures(pipeline):
    from datetime import date

    from pantau.briefing import render_briefing

    result = render_briefing(PROVINCE, date(2025, 10, 30))
    text = "\n".join(page.extract_text() for page in PdfReader(result.path).pages)
    total = query(
        pipeline["dsn"],
        "select sum(foreigner_count) from marts.fct_foreigners_present where province_code = %s",
        PROVINCE,
    )[0][0]
    findings = query(
        pipeline["dsn"],
        "select count(*) from marts.fct_findings where status <> 'selesai' and province_code = %s",
        PROVINCE,
    )[0][0]
    assert f"{total:,}".replace(",", ".") in text
    assert str(findings) in text
    assert "TERBATAS" in text
    recorded = query(pipeline["dsn"], "select pdf_sha256 from audit.briefings")
    assert (hashlib.sha256(Path(result.path).read_bytes()).hexdigest(),) in recorded


def test_rerun_loads_nothing_and_changes_no_mart(pipeline):
    before_marts = mart_fingerprint(pipeline["dsn"])
    before_ledger = query(pipeline["dsn"], "select count(*) from audit.load_ledger")[0][0]
    summary = runner.run_pipeline(pipeline["landing"])
    assert all(state == "success" for state in summary.dag_states.values())
    assert summary.files == []
    assert query(pipeline["dsn"], "select count(*) from audit.load_ledger")[0][0] == before_ledger
    assert mart_fingerprint(pipeline["dsn"]) == before_marts


def test_same_bytes_under_another_name_are_not_loaded_again(pipeline):
    before = mart_fingerprint(pipeline["dsn"])
    archived = next((pipeline["landing"] / "_archive" / "imigrasi_izin_tinggal").iterdir())
    copy = pipeline["landing"] / "imigrasi_izin_tinggal" / f"kiriman_ulang_{archived.name}"
    shutil.copyfile(archived, copy)
    summary = runner.run_pipeline(pipeline["landing"])
    assert [(f["source_file"], f["status"], f["error_code"]) for f in summary.files] == [
        (f"imigrasi_izin_tinggal/{copy.name}", "quarantined", "BERKAS_DUPLIKAT")
    ]
    # Its bytes are already in the warehouse: nothing to fix, so nothing fails (publish_batches skips).
    assert all(state == "success" for state in summary.dag_states.values()), summary.failed_tasks
    assert mart_fingerprint(pipeline["dsn"]) == before


def test_batch_failing_a_blocking_expectation_is_kept_out_of_the_marts(pipeline):
    """A bad file arrives with a good one: the warehouse rebuilds (the good batch was accepted)
    while the rejected rows sit in raw, and only the good file's permit reaches the marts."""
    dsn = pipeline["dsn"]
    header = "no_izin;jenis_izin;kewarganegaraan;no_paspor;tanggal_terbit;tanggal_berakhir;kabupaten_kota\n"
    permits = pipeline["landing"] / "imigrasi_izin_tinggal"
    bad = permits / "izin_tinggal_rusak.csv"
    # Plausible permits but an unknown permit type: had they been published, Cilegon would gain 20.
    bad.write_text(
        header
        + "".join(
            f"BAD-{i};VISA-XYZ;Jepang;TZ{i:07d};01/09/2025;01/09/2026;Kota Cilegon\n" for i in range(20)
        ),
        encoding="utf-8",
    )
    (permits / "izin_tinggal_susulan.csv").write_text(
        header + "GOOD-1;ITAS;Jepang;TZ9999999;01/09/2025;01/09/2026;Kota Cilegon\n", encoding="utf-8"
    )
    count_sql = (
        "select coalesce(sum(foreigner_count), 0) from marts.fct_foreigners_present "
        "where region_code = '36.72' and country_code = 'JPN'"
    )
    before = query(dsn, count_sql)[0][0]
    summary = runner.run_pipeline(pipeline["landing"])
    assert sorted((f["source_file"], f["status"]) for f in summary.files) == [
        ("imigrasi_izin_tinggal/izin_tinggal_rusak.csv", "rejected"),
        ("imigrasi_izin_tinggal/izin_tinggal_susulan.csv", "accepted"),
    ]
    # Airflow shows the rejection as a failed task someone can alert on; the good file still
    # published (its Asset triggered the rebuild) and `pantau run` counts the run as sound.
    assert summary.failed_tasks["pantau_ingest__imigrasi_izin_tinggal"] == ["flag_refused_files"]
    assert summary.ok
    assert "1 file(s) not accepted" in report_text(summary)
    assert summary.dag_states["pantau_warehouse"] == "success"  # the rebuild really happened
    assert (
        query(dsn, "select count(*) from raw.imigrasi_izin_tinggal where no_izin like 'BAD-%%'")[0][0] == 20
    )
    assert (
        query(
            dsn, "select count(*) from staging.stg_imigrasi__stay_permits where permit_number like 'BAD-%%'"
        )[0][0]
        == 0
    )
    assert query(dsn, count_sql)[0][0] == before + 1
    failed = query(
        dsn,
        "select r.expectation from audit.dq_results r join audit.load_ledger l using (batch_id) "
        "where l.source_file like %s and not r.success and r.severity = 'blocking'",
        "%izin_tinggal_rusak.csv",
    )
    assert ("expect_column_values_to_match_regex",) in failed

    # Reported where people look: `pantau status`, and the next briefing's quality section.
    from datetime import date

    from pantau import report
    from pantau.briefing import render_briefing

    checks = query(
        dsn,
        "select r.expectation_config ->> 'description', r.expectation_config ->> 'column' "
        "from audit.dq_results r join audit.load_ledger l using (batch_id) "
        "where l.source_file like %s and not r.success and r.severity = 'blocking'",
        "%izin_tinggal_rusak.csv",
    )
    status = report.format_status(report.status())
    for description, column in checks:
        assert f"imigrasi_izin_tinggal/izin_tinggal_rusak.csv: {description} [{column}]" in status
    result = render_briefing(PROVINCE, date(2025, 10, 30))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(result.path).pages).split())
    held_back = text.split("Berkas yang ditahan")[1].split("Pemeriksaan mart")[0]
    assert "izin_tinggal_rusak.csv" in held_back and "ditolak" in held_back
    for description, _ in checks:
        assert description.split(" / ")[0] in held_back
    assert "izin_tinggal_susulan.csv" not in held_back
    # The auditor's view traces the briefing to the files it used and to the one held back.
    trace = query(
        dsn,
        "select role, source_file, file_status, failed_checks from audit.briefing_trace "
        "where briefing_id = %s",
        result.briefing_id,
    )
    roles = {(role, source): (status, failed) for role, source, status, failed in trace}
    status, failed = roles[("held_back", "imigrasi_izin_tinggal/izin_tinggal_rusak.csv")]
    assert status == "rejected"
    assert {f"blocking: {description}" for description, _ in checks} <= set(failed)
    assert roles[("used", "imigrasi_izin_tinggal/izin_tinggal_susulan.csv")][0] == "accepted"
    assert not any(role == "used" and "rusak" in source for role, source in roles)


def test_a_lone_rejected_file_leaves_every_mart_unchanged(pipeline):
    """Only a bad file arrives: it is rejected, no Asset fires, the warehouse is not rebuilt, and
    the marts stay exactly as they were (published from the last good data)."""
    dsn = pipeline["dsn"]
    before = mart_fingerprint(dsn)
    header = "no_izin;jenis_izin;kewarganegaraan;no_paspor;tanggal_terbit;tanggal_berakhir;kabupaten_kota\n"
    (pipeline["landing"] / "imigrasi_izin_tinggal" / "izin_tinggal_rusak_lagi.csv").write_text(
        header + "".join(f"BAD2-{i};VISA-XYZ;JPN;TY{i:07d};01/09/2025;01/09/2026;Serang\n" for i in range(9)),
        encoding="utf-8",
    )
    summary = runner.run_pipeline(pipeline["landing"])
    assert [(f["source_file"], f["status"]) for f in summary.files] == [
        ("imigrasi_izin_tinggal/izin_tinggal_rusak_lagi.csv", "rejected")
    ]
    assert summary.failed_tasks["pantau_ingest__imigrasi_izin_tinggal"] == ["flag_refused_files"]
    assert summary.ok
    assert "pantau_warehouse" not in summary.dag_states
    assert mart_fingerprint(dsn) == before
