"""The rendering layer: warnings are errors, fonts are bundled, the template is strict and escaped."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
from briefing_data import EXPECTED, has, pdf_text
from pypdf import PdfReader

from pantau.briefing import RenderWarningError, capture_weasyprint_warnings
from pantau.briefing.data import MartData, Region, RegionRow
from pantau.briefing.pdf import TEMPLATE_DIR, render_html, write_pdf
from pantau.briefing.quality import FeedQuality, QualityData
from pantau.briefing.render import build_context, render_briefing
from pantau.calendar import find_meeting

MINIMAL = (
    '<html lang="id"><head><title>t</title><link rel="stylesheet" href="style.css"></head>'
    '<body data-marking="TERBATAS" data-page-label="Halaman" data-page-of="dari" '
    'data-running-title="r" data-cutoff="c" data-generated="g">{body}</body></html>'
)


def pdf_fonts(path: Path) -> set[str]:
    fonts = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


@pytest.mark.parametrize(
    "body",
    [
        '<img src="missing-logo.png">',  # an unreachable image
        '<p style="colour: red">x</p>',  # an unknown CSS property
        '<p style="font-weight: heavyish">x</p>',  # an invalid value
    ],
)
def test_weasyprint_warning_is_an_error_in_strict_mode(tmp_path, body):
    target = tmp_path / "out.pdf"
    with pytest.raises(RenderWarningError) as raised:
        write_pdf(MINIMAL.format(body=body), target, strict=True)
    assert raised.value.messages
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_weasyprint_warning_is_logged_otherwise(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="pantau.briefing.pdf"):
        output = write_pdf(MINIMAL.format(body='<img src="missing-logo.png">'), tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").exists()
    assert any("missing-logo.png" in message for message in output.warnings)
    assert any("missing-logo.png" in record.getMessage() for record in caplog.records)


def test_capture_restores_the_logger():
    logger = logging.getLogger("weasyprint")
    before = (list(logger.handlers), logger.level)
    with pytest.raises(RenderWarningError), capture_weasyprint_warnings(strict=True):
        logger.warning("synthetic")
    assert (list(logger.handlers), logger.level) == before


def test_fonts_are_the_bundled_ones(briefing_db):
    result = render_briefing("36", date(2025, 10, 30), strict=True)
    fonts = pdf_fonts(result.path)
    assert fonts and all(name.startswith("Pantau-Sans") for name in fonts), fonts


def test_renders_without_any_system_font(briefing_db, tmp_path):
    """With fontconfig seeing no fonts at all, the briefing still renders, in its own fonts."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>'
    )
    script = textwrap.dedent(
        """
        import warnings
        warnings.filterwarnings("ignore", message="No fonts configured")  # the point of this test
        from pantau.briefing import render_briefing
        print(render_briefing("36", "2025-10-30", strict=True).path)
        """
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "PANTAU_WAREHOUSE_DSN": briefing_db}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    path = Path(out.stdout.strip().splitlines()[-1])
    assert has(pdf_text(path), f"{EXPECTED['banten_total']} Orang asing berada di wilayah")
    assert all(name.startswith("Pantau-Sans") for name in pdf_fonts(path))


def _empty_inputs(region: Region) -> tuple[MartData, QualityData]:
    marts = MartData(
        region=region,
        scope=[region],
        reference_date=None,
        regions=[RegionRow(region.region_code, region.region_name)],
        nationalities=[],
        finding_types=[],
        agencies=[],
        findings_since=None,
        totals=dict.fromkeys(
            (
                "present",
                "nationalities",
                "regions_with_foreigners",
                "open_findings",
                "new_findings",
                "continuing_findings",
                "resolved_findings",
            ),
            0,
        )
        | {"regions_in_scope": 1},
    )
    quality = QualityData(
        feeds=[FeedQuality("imigrasi_apoa", "Kantor Imigrasi (APOA)", True)],
        status="no_data",
        input_batches={},
    )
    return marts, quality


def test_empty_region_renders_cleanly(tmp_path):
    """No foreigners, no findings, no files: still a clean PDF (the chart shows no bars)."""
    meeting = find_meeting("36.73", date(2025, 10, 28))
    region = Region("36.73", "Kota Serang", "kota", "36", "Banten")
    marts, quality = _empty_inputs(region)
    context = build_context(
        meeting,
        None,
        date(2025, 10, 27),
        marts,
        quality,
        language="id",
        generated_at=datetime.now(ZoneInfo("Asia/Jakarta")),
    )
    target = tmp_path / "empty.pdf"
    write_pdf(render_html(context), target, strict=True)
    text = pdf_text(target)
    assert has(text, "Tidak ada orang asing dengan izin tinggal berlaku")
    assert has(text, "Tidak ada temuan pada periode ini.")
    assert has(text, "Status kualitas data masukan: tidak ada data")


def test_template_escapes_and_is_strict(tmp_path):
    meeting = find_meeting("36.73", date(2025, 10, 28))
    region = Region("36.73", "Kota <b>Serang</b> & sekitarnya", "kota", "36", "Banten")
    marts, quality = _empty_inputs(region)
    context = build_context(
        meeting,
        None,
        date(2025, 10, 27),
        marts,
        quality,
        language="id",
        generated_at=datetime.now(ZoneInfo("Asia/Jakarta")),
    )
    html = render_html(context)
    assert "Kota &lt;b&gt;Serang&lt;/b&gt; &amp; sekitarnya" in html
    assert "<b>Serang" not in html
    del context["totals"]
    with pytest.raises(jinja2.UndefinedError):
        render_html(context)


def test_template_folder_is_self_contained():
    """Everything the stylesheet loads sits in the document's folder, licence included."""
    css = (TEMPLATE_DIR / "style.css").read_text()
    for font in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        assert f'url("fonts/{font}")' in css
        assert (TEMPLATE_DIR / "fonts" / font).stat().st_size > 100_000
    assert "Bitstream Vera" in (TEMPLATE_DIR / "fonts" / "LICENSE.txt").read_text()
    assert "@page" in css and "@page cover" in css
    assert "@page" not in (TEMPLATE_DIR / "template.html").read_text()  # geometry only in CSS
