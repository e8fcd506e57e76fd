"""Data Docs: the auditors' static HTML site of every suite and validation result."""

from __future__ import annotations

import logging
from pathlib import Path

from pantau.quality import gx_project

log = logging.getLogger(__name__)


def build_data_docs(*, full: bool = False) -> Path:
    """Bring the site under PANTAU_OUTPUT_DIR/data_docs up to date and return its index.html.

    Validation results accumulate in the file-backed GX project, so the site lists every run.
    Each gate run already renders its own pages; this renders whatever pages are missing (a new
    output folder, an interrupted run) and the index. `full=True` re-renders every page, which
    takes time proportional to the number of runs kept. Needs no database connection.
    """
    with gx_project.project_lock():
        context = gx_project.get_context(connect=False)
        index = gx_project.data_docs_dir() / "index.html"
        site = [gx_project.DOCS_SITE_NAME]
        if full or not index.exists():
            context.build_data_docs(site_names=site)
        else:
            context.build_data_docs(site_names=site, resource_identifiers=_missing_pages(context))
    if not index.exists():
        raise FileNotFoundError(f"GX did not write {index}")
    from pantau.quality import offline_docs  # imports GX: only when building

    offline_docs.install_assets(index.parent)
    return index


def _missing_pages(context) -> list:
    """Identifiers of suites and results without a page; never empty (empty means "all" to GX)."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    index_only = [ExpectationSuiteIdentifier(name="__pantau_index_only__")]
    try:
        site_config = context.variables.data_docs_sites[gx_project.DOCS_SITE_NAME]
        builder = context._init_site_builder_for_data_docs_site_creation(
            site_name=gx_project.DOCS_SITE_NAME, site_config=site_config
        )
        backends = builder.target_store.store_backends
    except Exception:  # GX internals moved: fall back to a full rebuild
        log.warning("cannot tell which Data Docs pages exist; rebuilding all of them", exc_info=True)
        return []
    missing = []
    for store in (context.expectations_store, context.validation_results_store):
        for key in store.list_keys():
            backend = backends.get(type(key))
            if backend is not None and not backend.has_key(key.to_tuple()):
                missing.append(key)
    return missing or index_only
