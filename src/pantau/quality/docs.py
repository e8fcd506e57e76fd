"""Data Docs: the auditors' static HTML site of every suite and validation result."""

from __future__ import annotations

from pathlib import Path

from pantau.quality import gx_project


def build_data_docs() -> Path:
    """Rebuild the whole site under PANTAU_OUTPUT_DIR/data_docs and return its index.html.

    Validation results accumulate in the file-backed GX project, so the site lists every run;
    gate 1 also refreshes it after each validation. Needs no database connection.
    """
    with gx_project.project_lock():
        context = gx_project.get_context(connect=False)
        context.build_data_docs(site_names=[gx_project.DOCS_SITE_NAME])
    index = gx_project.data_docs_dir() / "index.html"
    if not index.exists():
        raise FileNotFoundError(f"GX did not write {index}")
    return index
