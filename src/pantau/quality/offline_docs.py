"""Data Docs that work without internet and call no outside server.

GX's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and a date picker
from eight CDNs, and GX's logo from a cloud bucket with the data context id in its address: a
request to an outside server each time an auditor opens a page, and an empty validation list and
no status icons offline. Pantau renders the same templates with every such address pointing at a
pinned local copy: the npm packages in `report_templates/data_docs/` (`package-lock.json`),
installed by `make setup` and copied into the site's `static/vendor/`.

The site config (`gx_project._ensure_docs_site`) names the views below; `install_assets` runs
after every build (`docs.build_data_docs`).
"""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, pass_context

from pantau import config

ASSETS_DIR = config.REPORT_TEMPLATES_DIR / "data_docs"
NODE_MODULES = ASSETS_DIR / "node_modules"
SITE_VENDOR_DIR = Path("static") / "vendor"

# Every outside address in GX's page templates → the file of the pinned npm package that
# publishes it (path under node_modules/, kept as the path under the site's static/vendor/).
CDN_FILES: dict[str, str] = {
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/dist/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/dist/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    # GX names 1.19.0 for the filter-control stylesheet; 1.19.1's is the same extension.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap/dist/css/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/dist/js/bootstrap.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js/dist/umd/popper.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}
# Folders a copied stylesheet refers to (Font Awesome's ../webfonts/).
CDN_DIRS: tuple[str, ...] = ("@fortawesome/fontawesome-free/webfonts",)

# GX's logo comes from a cloud bucket (with the data context id appended); GX ships the logo in
# the site's static/images/, which the templates otherwise point at. The dark theme's logo has no
# local copy: the light one stands in.
_REMOTE_IMAGES_DIR = re.compile(r'{%\s*set static_images_dir = "https://[^"]+"\s*-?%}')
_REMOTE_IMAGES = {
    "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png": (
        "images/logo-long.png"
    ),
}

# Each page's way back to the site root, the same depth rules GX's top_navbar.j2 uses.
_STATIC_DIR = (
    '{%- set _dots = expectation_suite_name.count(".") if expectation_suite_name else 0 -%}'
    '{%- if "ValidationResults" in renderer_type or "ProfilingResults" in renderer_type -%}'
    '{%- set pantau_static_dir = ((_dots + 4) * "../") + "static/" -%}'
    '{%- elif "ExpectationSuite" in renderer_type -%}'
    '{%- set pantau_static_dir = ((_dots + 1) * "../") + "static/" -%}'
    '{%- else -%}{%- set pantau_static_dir = "static/" -%}{%- endif -%}'
)
_SRI_ATTRIBUTES = r'"(?:\s+integrity="(?P<sri>[^"]+)")?(?:\s+crossorigin="[^"]*")?'
_PAGE_TEMPLATES = ("page.j2", "index_page.j2", "page_minimal.j2")


class OfflineTemplateLoader(BaseLoader):
    """GX's own templates and the styles they include, each outside address replaced by its local copy."""

    def __init__(self) -> None:
        self._gx = ChoiceLoader(
            [
                PackageLoader("great_expectations", "render/view/templates"),
                PackageLoader("great_expectations", "render/view/static/styles"),
            ]
        )

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = self._gx.get_source(environment, template)
        return localise(template, source), filename, uptodate

    def list_templates(self) -> list[str]:
        return self._gx.list_templates()


def localise(template: str, source: str) -> str:
    """`source` of GX template `template` with no address outside the site."""
    for url, path in CDN_FILES.items():
        # Subresource-integrity pins stay GX's (tests check our copies against them), but a
        # crossorigin fetch of a file:// page's own file fails, so the attributes go.
        source = re.sub(
            re.escape(url) + _SRI_ATTRIBUTES,
            "{{ pantau_static_dir }}" + SITE_VENDOR_DIR.name + "/" + path + '"',
            source,
        )
    for url, path in _REMOTE_IMAGES.items():
        source = source.replace(url, "{{ pantau_static_dir }}" + path)
    if template == "top_navbar.j2":
        source = _REMOTE_IMAGES_DIR.sub(
            '{% if static_images_dir is not defined %}{% set static_images_dir = "static/images/" %}'
            "{% endif %}",
            source,
        )
    if template in _PAGE_TEMPLATES:
        source = _STATIC_DIR + source
    return source


def pinned_integrity() -> dict[str, str]:
    """The subresource-integrity hash GX's templates pin for a CDN address, by address."""
    loader = OfflineTemplateLoader()._gx
    pinned = {}
    for name in loader.list_templates():
        source = loader.get_source(None, name)[0]
        for url in CDN_FILES:
            for match in re.finditer(re.escape(url) + _SRI_ATTRIBUTES, source):
                if match["sri"]:
                    pinned[url] = match["sri"]
    return pinned


class _OfflineViewMixin:
    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        # Our loader first, so GX's templates are always read through it; GX's styles after.
        self.env.loader = ChoiceLoader([OfflineTemplateLoader(), self.env.loader])
        self.env.filters["add_data_context_id_to_url"] = _url_as_is


@pass_context
def _url_as_is(jinja_context, url: str, add_datetime: bool = True) -> str:
    """GX appends the data context id and a timestamp to the logo's address; local files need neither."""
    return url


class OfflinePageView(_OfflineViewMixin, DefaultJinjaPageView):
    """Suite and validation pages."""


class OfflineIndexPageView(_OfflineViewMixin, DefaultJinjaIndexPageView):
    """The site's index."""


# Views as the GX site config names them (gx_project._ensure_docs_site).
PAGE_VIEW = {"module_name": __name__, "class_name": OfflinePageView.__name__}
INDEX_VIEW = {"module_name": __name__, "class_name": OfflineIndexPageView.__name__}


class AssetsMissing(RuntimeError):
    """The pinned npm packages are not installed; `make setup` installs them."""


def install_assets(site_dir: Path) -> None:
    """Copy every local asset the pages refer to into `site_dir`/static/vendor (idempotent)."""
    if not NODE_MODULES.is_dir():
        raise AssetsMissing(
            f"Data Docs assets are not installed ({NODE_MODULES} is missing). Run `make setup` "
            f"(it runs `npm ci` in {ASSETS_DIR}); without them the auditors' pages would need the internet."
        )
    target = site_dir / SITE_VENDOR_DIR
    for path in CDN_FILES.values():
        _copy_file(NODE_MODULES / path, target / path)
    for folder in CDN_DIRS:
        for source in sorted((NODE_MODULES / folder).rglob("*")):
            if source.is_file():
                _copy_file(source, target / source.relative_to(NODE_MODULES))


def _copy_file(source: Path, target: Path) -> None:
    if not source.is_file():
        raise AssetsMissing(f"{source} is missing: run `make setup` to reinstall the Data Docs assets")
    if target.exists() and filecmp.cmp(source, target, shallow=False):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
