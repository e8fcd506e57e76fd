"""The document itself: pages rendered to PNG (pdftoppm) are never blank, nothing overflows the page
box (WeasyPrint's layout), and the PDF carries a title, a language and bookmarks."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from pantau.briefing import render_briefing
from pantau.briefing.pdf import layout, write_pdf
from pantau.briefing.render import prepare_briefing

BANTEN = ("36", date(2025, 10, 30))
KOTA_SERANG = ("36.73", date(2025, 10, 28))
DPI = 50
MM = DPI / 25.4  # pixels per millimetre at DPI
# The body area of a content page (style.css @page margins 24/18/22/18 mm), a little inside them.
BODY_MARGINS_MM = (26, 20, 24, 20)  # top, right, bottom, left
INK = 200  # a grey level below this is ink, not paper (the cover's tint is 244)
MIN_INK_SHARE = 0.002  # of the body area: a heading alone is more than this

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils)")


def page_images(pdf: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def body_ink_share(image_path: Path) -> float:
    """Share of dark pixels inside the body area (running header and footer excluded)."""
    with Image.open(image_path) as image:
        grey = image.convert("L")
        top, right, bottom, left = (round(m * MM) for m in BODY_MARGINS_MM)
        body = grey.crop((left, top, grey.width - right, grey.height - bottom))
        histogram = body.histogram()
        return sum(histogram[:INK]) / (body.width * body.height)


def blank_pages(pdf: Path, out: Path) -> list[int]:
    return [
        n for n, image in enumerate(page_images(pdf, out), start=1) if body_ink_share(image) < MIN_INK_SHARE
    ]


def overflowing_boxes(document, tolerance: float = 0.5) -> list[str]:
    """Boxes outside their page: body content must stay inside the page's content area (inside its
    margins), margin boxes (running header, footer) inside the page box."""
    problems = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        area = (
            page_box.content_box_x(),
            page_box.content_box_y(),
            page_box.content_box_x() + page_box.width,
            page_box.content_box_y() + page_box.height,
        )
        whole = (0, 0, page.width, page.height)
        for child in page_box.children:
            limits = whole if type(child).__name__ == "MarginBox" else area
            for box in child.descendants():
                if box.width is None or box.height is None:
                    continue
                x, y = box.border_box_x(), box.border_box_y()
                x2, y2 = x + box.border_width(), y + box.border_height()
                if (
                    x < limits[0] - tolerance
                    or y < limits[1] - tolerance
                    or x2 > limits[2] + tolerance
                    or y2 > limits[3] + tolerance
                ):
                    text = getattr(box, "text", "") or getattr(box.element, "text", "") or ""
                    problems.append(
                        f"page {number}: {type(box).__name__} <{box.element_tag}> "
                        f"({x:.0f},{y:.0f})-({x2:.0f},{y2:.0f}) outside {tuple(round(v) for v in limits)} "
                        f"{text.strip()[:40]!r}"
                    )
    return problems


@pytest.fixture
def briefings(briefing_db, monkeypatch):
    monkeypatch.setenv("PANTAU_SUPPRESS_BELOW", "5")  # the "< 5" cells are the widest numbers
    return [
        render_briefing(*BANTEN, strict=True),
        render_briefing(*BANTEN, language="en", strict=True),
        render_briefing(*KOTA_SERANG, strict=True),
    ]


def test_no_page_is_blank(briefings, tmp_path):
    for result in briefings:
        images = page_images(result.path, tmp_path / result.briefing_id)
        assert len(images) == result.page_count == len(PdfReader(result.path).pages)
        for number, image in enumerate(images, start=1):
            share = body_ink_share(image)
            assert share >= MIN_INK_SHARE, f"{result.path.name} page {number} is blank ({share:.4f})"


def test_blank_page_check_can_fail(tmp_path):
    """A page holding only the running header and footer counts as blank."""
    html = (
        '<html lang="id"><head><title>t</title><link rel="stylesheet" href="style.css"></head>'
        '<body data-marking="TERBATAS" data-page-label="Halaman" data-page-of="dari" '
        'data-running-title="judul" data-cutoff="batas" data-generated="dibuat">'
        '<h1>Isi</h1><p>Halaman pertama berisi teks.</p><div style="break-before: page"></div>'
        "</body></html>"
    )
    target = tmp_path / "blank.pdf"
    write_pdf(html, target, strict=True)
    assert blank_pages(target, tmp_path / "png") == [2]


@pytest.mark.parametrize(("meeting", "language"), [(BANTEN, "id"), (BANTEN, "en"), (KOTA_SERANG, "id")])
def test_nothing_overflows_the_page(briefing_db, monkeypatch, meeting, language):
    monkeypatch.setenv("PANTAU_SUPPRESS_BELOW", "5")
    document = layout(prepare_briefing(*meeting, language=language).html)
    assert len(document.pages) >= 5
    assert overflowing_boxes(document) == []


def test_overflow_check_can_fail():
    html = (
        '<html><head><link rel="stylesheet" href="style.css"></head><body>'
        f'<p style="white-space: nowrap">{"sangat-panjang " * 40}</p></body></html>'
    )
    problems = overflowing_boxes(layout(html))
    assert problems and "page 1" in problems[0]


def _outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


@pytest.mark.parametrize(
    ("language", "title", "headings"),
    [
        (
            "id",
            "Bahan Rapat Koordinasi: Rakor Tim POA Provinsi Banten, 30 Oktober 2025",
            [
                "Ringkasan",
                "Perkembangan utama",
                "Orang asing menurut kabupaten/kota",
                "Menurut jenis izin dan tujuan",
                "Kedatangan di penginapan",
                "Tenaga kerja asing",
                "Temuan",
                "Tindak lanjut per instansi",
                "Kesegaran dan kualitas data",
                "Kartu nilai per instansi",
                "Metodologi dan sumber",
            ],
        ),
        (
            "en",
            "Coordination meeting briefing: Rakor Tim POA Provinsi Banten, 30 October 2025",
            [
                "Summary",
                "Key developments",
                "Foreigners by regency/city",
                "By permit type and purpose",
                "Arrivals at lodgings",
                "Foreign workers",
                "Findings",
                "Follow-up by agency",
                "Data freshness and quality",
                "Scorecard per agency",
                "Methodology and sources",
            ],
        ),
    ],
)
def test_title_language_and_bookmarks(briefing_db, language, title, headings):
    reader = PdfReader(render_briefing(*BANTEN, language=language, strict=True).path)
    assert reader.metadata.title == title
    assert reader.trailer["/Root"]["/Lang"] == language
    titles = _outline_titles(reader)
    for heading in headings:
        assert heading in titles, (heading, titles)
    # One bookmark per responsible agency's follow-up table
    assert {"Kantor Imigrasi (2 temuan terbuka)", "Kantor Imigrasi (2 open findings)"} & set(titles)
