"""Adding a finding type is one catalogue row and one model (issue 10): shown on a copy of the dbt
project, built for real, and read back from the rendered briefing PDF."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import psycopg
import pytest
from dbt_cli import run_dbt
from pypdf import PdfReader

from pantau import config

pytestmark = pytest.mark.slow

NEW_TYPE = {
    "finding_code": "UJI_TAMU_TERDAFTAR",
    "display_order": "99",
    "responsible_agency": "Satpol PP",
    "severity": "rendah",
    "name_id": "Tamu penginapan untuk uji katalog",
    "name_en": "Lodging guest for the catalogue test",
    "definition_id": "Temuan uji: setiap kabupaten/kota dengan laporan tamu asing di penginapan.",
    "definition_en": "Test finding: every regency/city with a foreign lodging guest report.",
}

NEW_MODEL = """
-- A finding type added by the test: one row per kab/kota with lodging reports.
with

lodging_reports as (
    select * from {{ ref('stg_imigrasi__lodging_reports') }}
),

final as (
    select
        md5('UJI_TAMU_TERDAFTAR|' || region_code) as finding_id,
        null::text as person_key,
        'UJI_TAMU_TERDAFTAR' as finding_code,
        null::text as finding_subtype,
        region_code,
        min(province_code) as province_code,
        null::text as employer_name,
        'Laporan tamu asing di penginapan.' as detail,
        min(check_in_date) as first_seen_date,
        max(check_in_date) as last_seen_date
    from lodging_reports
    where region_code is not null
    group by region_code
)

select * from final
"""


def _project_with_new_type(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(config.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    seed = project / "seeds" / "finding_types.csv"
    with seed.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(NEW_TYPE), lineterminator="\n").writerow(NEW_TYPE)
    (project / "models" / "intermediate" / "findings" / "int_test_guests_detected.sql").write_text(NEW_MODEL)
    # The model is wired into the union of finding models (fct_findings' list of models).
    fct = project / "models" / "marts" / "findings" / "fct_findings.sql"
    fct.write_text(fct.read_text().replace("] %}", "    'int_test_guests_detected',\n] %}", 1))
    return project


def test_new_finding_type_reaches_the_briefing(loaded_warehouse: str, tmp_path: Path, monkeypatch) -> None:
    project = _project_with_new_type(tmp_path)
    result = run_dbt(
        ["build", "--exclude", "resource_type:unit_test", "resource_type:test"],
        tmp_path / "dbt",
        project_dir=project,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    with psycopg.connect(loaded_warehouse) as conn:
        found = conn.execute(
            "select distinct responsible_agency, severity from marts.fct_findings "
            "where finding_code = 'UJI_TAMU_TERDAFTAR'"
        ).fetchall()
    assert found == [("Satpol PP", "rendah")]  # agency and severity from the catalogue row

    from pantau.briefing import render_briefing

    monkeypatch.setenv("PANTAU_OUTPUT_DIR", str(tmp_path / "out"))
    briefing = render_briefing("36", date(2025, 10, 30), dsn=loaded_warehouse, language="id")
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(briefing.path).pages)
    assert "Tamu penginapan untuk uji katalog" in text  # the findings table and the definitions
    assert "Temuan uji: setiap kabupaten/kota dengan laporan tamu asing di penginapan." in text
    assert "Satpol PP" in text  # follow-up by the catalogue's agency
