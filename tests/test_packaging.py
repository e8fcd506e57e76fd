"""The runtime package holds the product: the synthetic generator is development tooling only."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pantau import cli

ROOT = Path(__file__).resolve().parents[1]
DEV_ONLY = ("faker", "xlsxwriter", "pantau-dev")


def test_generator_is_not_in_the_runtime_package():
    package = ROOT / "src" / "pantau"
    assert not (package / "generator").exists()
    assert not (package / "generate.py").exists()
    offenders = [
        str(path.relative_to(ROOT))
        for path in package.rglob("*.py")
        if "faker" in path.read_text(encoding="utf-8") or "xlsxwriter" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_dev_tooling_is_not_a_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = " ".join(project["project"]["dependencies"]).lower()
    for name in DEV_ONLY:
        assert name not in runtime
    assert "pantau-dev" in project["dependency-groups"]["dev"]


def test_production_requirements_exclude_dev_tooling():
    """What docker/Dockerfile installs: `uv export --no-dev` of the lock."""
    uv = ROOT / ".pantau" / "uv" / "bin" / "uv"
    if not uv.exists():
        pytest.skip("pinned uv not installed (make setup installs it)")
    exported = subprocess.run(
        [str(uv), "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pinned = {line.split("==")[0].strip().lower() for line in exported.splitlines() if "==" in line}
    assert pinned, exported
    assert pinned.isdisjoint(DEV_ONLY)
    assert "devtools" not in exported
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert "--no-dev" in dockerfile
    assert "devtools" not in dockerfile


def test_generate_without_dev_tooling_says_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "pantau_dev.generate", None)  # as if devtools/ were not installed
    code = cli.main(["generate", "--province", "36", "--out", str(tmp_path / "landing")])
    assert code == 2
    err = capsys.readouterr().err
    assert "development tooling" in err and "make setup" in err
    assert not (tmp_path / "landing").exists()
