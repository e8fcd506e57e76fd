"""One small generated landing zone (both provinces) shared by the generator tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pantau_dev.generate import generate

SCALE = 0.1


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    root = tmp_path_factory.mktemp("generated")
    landing = root / "landing"
    truths = {province: generate(province, landing, seed=7, scale=SCALE) for province in ("36", "62")}
    return landing, truths
