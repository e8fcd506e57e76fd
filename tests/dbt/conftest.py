"""Fixtures for the dbt tests: a warehouse with the hand-written raw batches of raw_rows.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import raw_rows
from pantau import config


@pytest.fixture
def tool_env() -> Iterator[None]:
    """export_tool_env() writes os.environ directly: put it back afterwards."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def loaded_warehouse(warehouse_db: str, tool_env: None) -> str:
    raw_rows.load_all(warehouse_db)
    config.export_tool_env()
    return warehouse_db
