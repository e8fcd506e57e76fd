"""Findings that follow the data, as the briefing shows them (issue 11 item 3): the many expiring
visit permits are grouped apart from ITAS/ITAP, and a surge whose file arrived late counts as new
since the previous meeting although the week it happened lies before that meeting's cut-off."""

from __future__ import annotations

from datetime import date

import psycopg
from briefing_data import has, pdf_text

from pantau.briefing import render_briefing

SINCE = "2025-10-27"  # cut-off of the Banten Rakor of 30 October, the previous meeting of the next one


def _add_findings(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "alter table marts.fct_findings add column finding_subtype text, add column detected_date date"
        )
        rows = [
            (f"itk{i}", "IZIN_SEGERA_BERAKHIR", "ITK", "36.03", "2026-01-10", "2026-01-12") for i in range(23)
        ]
        rows += [
            (f"itas{i}", "IZIN_SEGERA_BERAKHIR", "ITAS", "36.04", "2026-01-05", "2026-01-12")
            for i in range(2)
        ]
        # A July surge, in a file loaded in January: first seen long before, detected after the cut-off.
        rows.append(("surge-jul", "LONJAKAN_KEDATANGAN", "KOR", "36.72", "2025-07-07", "2026-01-20"))
        # A surge already reported at the previous meeting: continuing.
        rows.append(("surge-sep", "LONJAKAN_KEDATANGAN", "CHN", "36.04", "2025-09-08", "2025-09-20"))
        conn.cursor().executemany(
            "insert into marts.fct_findings (finding_id, finding_code, finding_subtype, region_code, "
            "responsible_agency, severity, person_key, detail, first_seen_date, last_seen_date, status, "
            "resolved_date, reference_date, detected_date) values (%s, %s, %s, %s, 'Kantor Imigrasi', "
            "'rendah', null, 'uji', %s, %s, 'baru', null, '2026-01-26', %s)",
            [
                (f, code, sub, region, first, first, detected)
                for f, code, sub, region, first, detected in rows
            ],
        )


def test_groups_and_late_surges(briefing_db):
    _add_findings(briefing_db)
    result = render_briefing("36", date(2026, 1, 29), cutoff=date(2026, 1, 26), strict=True)
    text = pdf_text(result.path)
    # 25 expiring permits, grouped by permit type: the 23 visit permits apart from the 2 ITAS
    assert has(text, "Izin tinggal segera berakhir IZIN_SEGERA_BERAKHIR Kantor Imigrasi 25 0 25 0")
    assert has(text, "— di antaranya ITK 23 0 23 0")
    assert has(text, "— di antaranya ITAS 2 0 2 0")
    # the July surge learnt of in January is new since 27 October; the September one continues
    assert has(text, "Lonjakan kedatangan LONJAKAN_KEDATANGAN Kantor Imigrasi 1 1 2 0")
    assert has(text, "— di antaranya KOR 1 0 1 0")
    assert has(text, "— di antaranya CHN 0 1 1 0")
    # follow-up rows keep visit permits apart from the rest
    assert has(text, "Izin tinggal segera berakhir · ITK Kabupaten Tangerang")
