"""What auditors get from gate 1: results in SQL, Data Docs in HTML, no personal data, no secrets."""

from __future__ import annotations

import json
import logging

import psycopg
import pytest

from pantau import config
from pantau.quality import build_data_docs, gx_project, validate_raw_batch
from pantau.quality.masking import mask_unexpected, mask_value
from pantau.quality.suites import load_suite
from pantau.registry import feeds

from .batches import SECRET_NAME, SECRET_PASSPORT, clean_rows, insert_batch

# Long enough to fail the passport-length warning, so it is sampled (masked) into the results.
LONG_PASSPORT = SECRET_PASSPORT * 3


def _files_text(*roots) -> str:
    texts = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def _results(dsn: str, batch_id: str) -> list[dict]:
    with psycopg.connect(dsn) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute("select * from audit.dq_results where batch_id = %s order by result_id", (batch_id,))
        return cur.fetchall()


@pytest.fixture(scope="module")
def pii_batch(gate):
    """A disnaker_tka batch whose failures involve personal data: a conflicting natural key
    (no_rptka + no_paspor), an over-long passport number, a name in the rows."""
    dsn, _ = gate
    rows = clean_rows("disnaker_tka", 5)
    rows[0]["no_paspor"] = SECRET_PASSPORT
    rows[0]["nama_tka"] = SECRET_NAME
    conflicting = dict(rows[0], jabatan="Direktur")
    rows.append(conflicting)
    rows[3]["no_paspor"] = LONG_PASSPORT
    rows[3]["nama_tka"] = SECRET_NAME
    batch_id, sha = insert_batch(dsn, "disnaker_tka", rows)
    result = validate_raw_batch("disnaker_tka", batch_id, run_id="audit-run-1")
    return batch_id, sha, result


def test_one_result_row_per_expectation_linked_to_file_and_run(gate, pii_batch):
    dsn, _ = gate
    batch_id, sha, result = pii_batch
    rows = _results(dsn, batch_id)
    suite = load_suite(feeds()["disnaker_tka"].suite)
    assert len(rows) == len(suite.expectations) == result.results_count
    assert {r["run_id"] for r in rows} == {"audit-run-1"}
    assert {r["file_sha256"] for r in rows} == {sha}
    assert {r["feed"] for r in rows} == {"disnaker_tka"}
    assert {r["suite"] for r in rows} == {"raw__disnaker_tka"}
    descriptions = [r["expectation_config"]["description"] for r in rows]
    assert descriptions == [e.description for e in suite.expectations]
    assert [r["expectation"] for r in rows] == [e.type for e in suite.expectations]
    assert [r["severity"] for r in rows] == [e.severity for e in suite.expectations]
    not_null = next(r for r in rows if r["expectation"] == "expect_column_values_to_not_be_null")
    assert not_null["expectation_config"]["column"] == "no_rptka"  # what the briefing groups by
    assert not_null["success"] and not_null["unexpected_count"] == 0


def test_failed_checks_carry_counts_and_row_numbers(gate, pii_batch):
    dsn, _ = gate
    batch_id, _, result = pii_batch
    assert not result.accepted
    failed = {r["expectation_config"]["description"]: r for r in _results(dsn, batch_id) if not r["success"]}
    conflict = next(r for d, r in failed.items() if "data berbeda" in d)
    assert conflict["severity"] == "blocking" and conflict["unexpected_count"] == 1
    length = next(r for d, r in failed.items() if "Panjang nomor paspor" in d)
    assert length["severity"] == "warning" and length["unexpected_count"] == 1
    assert length["unexpected_sample"] == [{"_row_number": 4, "no_paspor": mask_value(LONG_PASSPORT)}]
    assert _ledger_status(dsn, batch_id) == "rejected"


def _ledger_status(dsn: str, batch_id: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("select status from audit.load_ledger where batch_id = %s", (batch_id,)).fetchone()
    return row[0]


def test_personal_data_is_masked_everywhere_results_are_kept(gate, pii_batch):
    dsn, _ = gate
    batch_id, _, _ = pii_batch
    stored = json.dumps(_results(dsn, batch_id), default=str)
    assert "XX9999999" in stored  # the shape of the passport number is kept for the auditor...
    for secret in (SECRET_PASSPORT, SECRET_NAME):  # ...the number and the name are not
        assert secret not in stored
        assert secret not in _files_text(gx_project.gx_root(), gx_project.data_docs_dir())


def test_each_result_is_written_once_and_masked(gate, pii_batch, monkeypatch):
    """GX's own run stores each result before the actions run, and the masking action stored it
    again, masked: two writes, the first unmasked. Pantau's checkpoint run writes once, masked."""
    from great_expectations.data_context.store.validation_results_store import ValidationResultsStore

    batch_id, _, first = pii_batch
    written = []
    real_set = ValidationResultsStore.set

    def recording_set(self, key, value, **kwargs):
        written.append(json.dumps(value.to_json_dict(), default=str))
        return real_set(self, key, value, **kwargs)

    monkeypatch.setattr(ValidationResultsStore, "set", recording_set)
    again = validate_raw_batch("disnaker_tka", batch_id, run_id="audit-run-1")
    assert again.failed_blocking == first.failed_blocking
    assert len(written) == 1
    assert "audit-run-1" in written[0]
    for secret in (SECRET_PASSPORT, SECRET_NAME):
        assert secret not in written[0]


def test_a_validation_logs_no_gx_bookkeeping_and_reads_no_variables_file(gate, pii_batch, caplog):
    """GX logs INFO lines of its own, several per expectation on every validation, into the task
    log; and re-reads uncommitted/config_variables.yml (scaffolded holding only its analytics
    instance id) on every substitution. The gate keeps GX's warnings and drops the file."""
    batch_id, _, _ = pii_batch
    caplog.set_level(logging.INFO)
    validate_raw_batch("disnaker_tka", batch_id, run_id="audit-run-1")
    chatter = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("great_expectations") and r.levelno < logging.WARNING
    ]
    assert not chatter, chatter[:3]
    assert not (gx_project.gx_root() / "uncommitted" / "config_variables.yml").exists()


def test_rerunning_a_run_replaces_its_rows(gate, pii_batch):
    dsn, _ = gate
    batch_id, _, first = pii_batch
    again = validate_raw_batch("disnaker_tka", batch_id, run_id="audit-run-1")
    assert again.failed_blocking == first.failed_blocking
    assert len(_results(dsn, batch_id)) == first.results_count


def test_data_docs_accumulate_runs_and_open_offline(gate):
    dsn, home = gate
    first, _ = insert_batch(dsn, "polri_laporan", clean_rows("polri_laporan"))
    second, _ = insert_batch(dsn, "imigrasi_apoa", clean_rows("imigrasi_apoa"))
    validate_raw_batch("polri_laporan", first, run_id="docs-run-polri")
    validate_raw_batch("imigrasi_apoa", second, run_id="docs-run-apoa")
    index = build_data_docs()
    assert index == config.output_dir() / "data_docs" / "index.html"
    assert index.is_relative_to(home / "output")
    html = index.read_text(encoding="utf-8")
    for run_id in ("docs-run-polri", "docs-run-apoa"):
        assert run_id in html
    for suite in ("raw__polri_laporan", "raw__imigrasi_apoa"):
        assert suite in html
    # Offline: the pages reference their own static files, never a CDN that would be unreachable.
    assert (index.parent / "static").is_dir()
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_data_docs_rebuild_restores_missing_pages(gate):
    dsn, _ = gate
    batch_id, _ = insert_batch(dsn, "dukcapil_sktt", clean_rows("dukcapil_sktt"))
    validate_raw_batch("dukcapil_sktt", batch_id, run_id="docs-run-sktt")
    build_data_docs()  # the gate stores results; pages are rendered once per pipeline run
    docs = gx_project.data_docs_dir()
    pages = [p for p in (docs / "validations").rglob("*.html") if "docs-run-sktt" in str(p)]
    assert len(pages) == 1
    pages[0].unlink()
    build_data_docs()
    assert pages[0].exists()
    assert "docs-run-sktt" in (docs / "index.html").read_text(encoding="utf-8")


def test_the_connection_string_is_never_written_into_the_gx_project(gate):
    dsn, _ = gate
    password = "Sekret-Pw-4242"  # trust auth ignores it; it must still never reach a file
    dsn_with_password = f"{dsn} password={password}"
    batch_id, _ = insert_batch(dsn, "kesbangpol_penelitian", clean_rows("kesbangpol_penelitian"))
    assert validate_raw_batch("kesbangpol_penelitian", batch_id, dsn=dsn_with_password).accepted
    build_data_docs()
    url = gx_project.sqlalchemy_url(dsn_with_password)
    text = _files_text(gx_project.gx_root(), gx_project.data_docs_dir())
    for secret in (password, dsn_with_password, url, dsn):
        assert secret not in text
    config_text = (gx_project.gx_root() / "great_expectations.yml").read_text(encoding="utf-8")
    assert "connection_string: ${PANTAU_GX_WAREHOUSE_URL}" in config_text
    assert "analytics_enabled: false" in config_text


def test_masking_keeps_shapes_and_non_personal_values():
    assert mask_value("E 1234-567") == "X 9999-999"
    assert mask_value("Wang Lei") == "Xxxx Xxx"
    assert mask_value(None) is None
    payload = [{"no_rptka": "RPTKA/1", "no_paspor": "E123", "baris": 2}, {"value": "E9", "count": 3}]
    masked = mask_unexpected(payload, ["no_paspor"], ["no_rptka", "no_paspor"])
    assert masked == [{"no_rptka": "RPTKA/1", "no_paspor": "X999", "baris": 2}, {"value": "X9", "count": 3}]
    assert mask_unexpected(["ITX"], ["no_paspor"], ["jenis_izin"]) == ["ITX"]
