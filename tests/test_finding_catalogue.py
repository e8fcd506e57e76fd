"""The finding catalogue has one home: dbt_project/seeds/finding_types.csv (issue 10).

Fails when a second copy appears: a finding code, name or definition written into the briefing's
code, templates or messages, the status report or a quality suite; an agency or severity decided
inside a finding model; or a finding model that fct_findings does not union.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "dbt_project" / "seeds" / "finding_types.csv"
FINDING_MODELS = ROOT / "dbt_project" / "models" / "intermediate" / "findings"
FCT_FINDINGS = ROOT / "dbt_project" / "models" / "marts" / "findings" / "fct_findings.sql"


def catalogue() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def readers_of_the_catalogue() -> list[Path]:
    """Every file of the layers that show findings: they must read the catalogue, not copy it.
    The Data Docs' installed third-party assets (node_modules) are not ours and are skipped."""
    folders = [ROOT / "src" / "pantau" / "briefing", ROOT / "report_templates"]
    files = [
        p
        for folder in folders
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix not in {".ttf", ".otf", ".woff", ".woff2", ".png", ".svg"}
        and "node_modules" not in p.relative_to(folder).parts
    ]
    return [
        *files,
        ROOT / "src" / "pantau" / "report.py",
        ROOT / "src" / "pantau" / "cli.py",
        *(ROOT / "expectations").glob("*.yml"),
    ]


def test_catalogue_is_well_formed():
    rows = catalogue()
    assert len(rows) >= 9
    codes = [r["finding_code"] for r in rows]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", c) for c in codes)
    orders = [int(r["display_order"]) for r in rows]
    assert len(set(orders)) == len(orders)
    assert {r["severity"] for r in rows} <= {"tinggi", "sedang", "rendah"}
    for row in rows:
        assert all(
            row[c].strip()
            for c in ("responsible_agency", "name_id", "name_en", "definition_id", "definition_en")
        ), row


def test_no_second_copy_of_the_catalogue():
    """No code, name or definition of the catalogue in the briefing, `pantau status` or gate 2."""
    texts = {}
    for row in catalogue():
        texts[row["finding_code"]] = re.compile(rf"\b{row['finding_code']}\b")
        for column in ("name_id", "name_en", "definition_id", "definition_en"):
            if len(row[column]) >= 12:  # short names ("Overstay") may occur as plain words
                texts[f"{row['finding_code']}.{column}"] = re.compile(re.escape(row[column]))
    sources = {
        path: path.read_text(encoding="utf-8", errors="replace") for path in readers_of_the_catalogue()
    }
    copies = [
        f"{path.relative_to(ROOT)}: {what}"
        for path, text in sources.items()
        for what, pattern in texts.items()
        if pattern.search(text)
    ]
    assert copies == [], "the finding catalogue is copied (read dim_finding_types instead):\n" + "\n".join(
        copies
    )


def test_finding_models_take_agency_and_severity_from_the_catalogue():
    for model in FINDING_MODELS.glob("*.sql"):
        sql = model.read_text()
        assert not re.search(r"as (responsible_agency|severity)\b", sql), f"{model.name} sets them itself"


@pytest.mark.parametrize("row", catalogue(), ids=lambda row: row["finding_code"])
def test_each_finding_type_has_exactly_one_rule(row):
    emitting = [
        m.stem
        for m in FINDING_MODELS.glob("*.sql")
        if f"'{row['finding_code']}' as finding_code" in m.read_text()
    ]
    assert len(emitting) == 1, (row["finding_code"], emitting)


def test_fct_findings_unions_every_finding_model():
    """A rule added to models/intermediate/findings/ but not unioned would be silently lost."""
    listed = set(re.findall(r"'(int_\w+_detected)'", FCT_FINDINGS.read_text()))
    assert listed == {m.stem for m in FINDING_MODELS.glob("*.sql")}


def test_pantau_status_lists_open_findings_in_catalogue_order(warehouse_db):
    from pantau import report

    rows = catalogue()
    with psycopg.connect(warehouse_db) as conn:
        conn.execute(
            "create table marts.fct_foreigners_present (foreigner_count bigint);"
            "create table marts.fct_findings (finding_code text, status text);"
            "create table marts.dim_finding_types (finding_code text, display_order int)"
        )
        conn.cursor().executemany(
            "insert into marts.dim_finding_types values (%s, %s)",
            [(r["finding_code"], int(r["display_order"])) for r in rows],
        )
        last, first = (
            max(rows, key=lambda r: int(r["display_order"])),
            min(rows, key=lambda r: int(r["display_order"])),
        )
        statuses = [(last, "baru"), (last, "berlanjut"), (first, "baru"), (first, "selesai")]
        conn.cursor().executemany(
            "insert into marts.fct_findings values (%s, %s)",
            [(row["finding_code"], status) for row, status in statuses],
        )
    (line,) = report._mart_lines()
    assert line.endswith(f"open findings: {first['finding_code']} 1, {last['finding_code']} 2")
