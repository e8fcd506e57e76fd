"""The auditors' Data Docs work with the network cut: every script, style, font and image comes
from the site itself, the index lists the validations and result pages show their status icons."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlparse

import pytest
from browser import browser_context

from pantau.quality import build_data_docs, gx_project, offline_docs, validate_raw_batch
from pantau.quality.offline_docs import CDN_FILES, SITE_VENDOR_DIR, OfflineTemplateLoader

from .batches import clean_rows, insert_batch

# Anything a browser fetches by itself: stylesheets, scripts, images, CSS url(...).
_FETCHED = re.compile(
    r"""<(?:link|script|img|source|iframe)\b[^>]*?\b(?:href|src)\s*=\s*["']([^"']+)["']"""
    r"""|url\(\s*["']?([^"')]+)""",
    re.IGNORECASE,
)


FONT_AWESOME_LOADED = (
    "[...document.fonts].some(f => f.family.includes('Font Awesome') && f.status === 'loaded')"
)


def _outside_addresses(text: str) -> list[str]:
    found = [a or b for a, b in _FETCHED.findall(text)]
    return [url for url in found if urlparse(url).scheme in {"http", "https"} or url.startswith("//")]


def test_no_gx_template_or_style_fetches_from_outside_the_site():
    loader = OfflineTemplateLoader()
    templates = loader.list_templates()
    assert {"page.j2", "js_script_imports.j2", "data_docs_default_styles.css"} <= set(templates)
    leftovers = {}
    for name in templates:
        source, _, _ = loader.get_source(None, name)
        outside = _outside_addresses(source)
        if outside:
            leftovers[name] = outside
    # A GX upgrade that adds a CDN address fails here, naming the template and the address.
    assert leftovers == {}


def test_every_cdn_address_gx_uses_is_mapped_and_every_mapping_is_used():
    loader = OfflineTemplateLoader()._gx
    sources = "\n".join(loader.get_source(None, name)[0] for name in loader.list_templates())
    unused = [url for url in CDN_FILES if url not in sources]
    assert unused == []  # a stale mapping means GX changed its assets: check the pinned versions


def test_local_copies_are_the_bytes_gx_pins_by_integrity_hash():
    pinned = offline_docs.pinned_integrity()
    assert len(pinned) >= 2  # bootstrap.min.js and popper.min.js carry sha384 pins
    for url, sri in pinned.items():
        algorithm, expected = sri.split("-", 1)
        data = (offline_docs.NODE_MODULES / CDN_FILES[url]).read_bytes()
        assert base64.b64encode(hashlib.new(algorithm, data).digest()).decode() == expected, url


@pytest.fixture(scope="module")
def offline_site(gate):
    """A site with a passing and a failing validation, rendered the way the pipeline renders it."""
    dsn, _ = gate
    good, _ = insert_batch(dsn, "polri_laporan", clean_rows("polri_laporan"))
    bad_rows = clean_rows("dukcapil_sktt")
    for row in bad_rows:
        row["no_sktt"] = ""  # a required key left empty: a failed blocking check
    bad, _ = insert_batch(dsn, "dukcapil_sktt", bad_rows)
    validate_raw_batch("polri_laporan", good, run_id="offline-run-good")
    validate_raw_batch("dukcapil_sktt", bad, run_id="offline-run-bad")
    index = build_data_docs()
    return index


def test_site_carries_its_own_copies_of_every_asset(offline_site):
    vendor = offline_site.parent / SITE_VENDOR_DIR
    for path in CDN_FILES.values():
        assert (vendor / path).stat().st_size > 0, path
    assert list((vendor / "@fortawesome/fontawesome-free/webfonts").glob("*.woff2"))
    for page in offline_site.parent.rglob("*.html"):
        assert _outside_addresses(page.read_text(encoding="utf-8")) == [], page


def _open_offline(context, url: str) -> tuple[object, list[str]]:
    """Open `url` with every request that would leave the machine refused and recorded."""
    outside: list[str] = []

    def guard(route):
        if urlparse(route.request.url).scheme in {"file", "data", "blob", "about"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    page = context.new_page()
    page.route("**/*", guard)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready")
    return page, outside + [url for url in failed if url not in outside]


@pytest.mark.slow
def test_index_and_validation_page_work_in_a_browser_with_the_network_blocked(offline_site, tmp_path):
    with browser_context(tmp_path) as context:
        index, blocked = _open_offline(context, offline_site.as_uri())
        assert blocked == []
        # The validation list is a bootstrap-table built by scripts: empty if they did not load.
        validations = index.get_by_role("tabpanel", name="Validation Results")
        rows = validations.locator("tbody tr")
        assert rows.count() >= 2
        listed = validations.locator("tbody").text_content()
        assert "offline-run-good" in listed and "offline-run-bad" in listed

        failed_page = next(
            p for p in (offline_site.parent / "validations").rglob("*.html") if "offline-run-bad" in str(p)
        )
        page, blocked = _open_offline(context, failed_page.as_uri())
        assert blocked == []
        icons = page.locator("i.fas, i.fa, span.fas, span.fa")
        assert icons.count() > 0
        glyph = page.evaluate(
            """() => {
                const icon = document.querySelector('i.fas, i.fa, span.fas, span.fa');
                const style = getComputedStyle(icon, '::before');
                const width = icon.getBoundingClientRect().width;
                return {content: style.content, family: style.fontFamily, width: width};
            }"""
        )
        assert glyph["content"] not in ("", "none", "normal"), glyph
        assert "Font Awesome" in glyph["family"], glyph
        assert glyph["width"] > 0, glyph
        assert page.evaluate(FONT_AWESOME_LOADED)
        # GX's logo comes from the site, not a cloud bucket with the context id in its address.
        logo = page.locator("nav img").first.get_attribute("src")
        assert logo and not urlparse(logo).scheme and "dataContextId" not in logo
        assert page.evaluate("() => [...document.images].every(img => img.complete && img.naturalWidth > 0)")


def test_missing_assets_give_an_actionable_error(monkeypatch, tmp_path):
    monkeypatch.setattr(offline_docs, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(offline_docs.AssetsMissing, match="make setup"):
        offline_docs.install_assets(gx_project.data_docs_dir())
