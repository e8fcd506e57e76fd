"""The generator: deterministic, laid out as the landing contract says, and honest about its truth."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from pantau.generate import generate
from pantau.generator import oracle
from pantau.registry import feeds

R = date(2025, 10, 27)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_arguments_give_byte_identical_files(tmp_path):
    first = generate("36", tmp_path / "a" / "landing", seed=3, scale=0.05)
    second = generate("36", tmp_path / "b" / "landing", seed=3, scale=0.05)
    assert first == second
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    third = generate("36", tmp_path / "c" / "landing", seed=4, scale=0.05)
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a")
    assert third["seed"] == 4


def test_layout_is_one_folder_per_feed_with_province_in_every_name(generated):
    landing, truths = generated
    known = set(feeds())
    for path in landing.rglob("*"):
        if path.is_file():
            assert path.parent.parent == landing
            assert path.parent.name in known
            assert "_36_" in path.name or "_62_" in path.name
    # the truth lives beside the landing zone, not in it
    for province in truths:
        truth_file = landing.parent / f"ground_truth_{province}.json"
        assert json.loads(truth_file.read_text(encoding="utf-8")) == truths[province]
    assert not list(landing.rglob("ground_truth*"))


def test_two_provinces_share_a_landing_zone_without_overwriting(generated):
    landing, truths = generated
    for province, truth in truths.items():
        for feed_name, counts in truth["feeds"].items():
            files = [p for p in (landing / feed_name).iterdir() if f"_{province}_" in p.name]
            assert len(files) == counts["files"], (province, feed_name)


@pytest.mark.parametrize("province", ["36", "62"])
def test_row_counts_match_the_files(generated, province):
    landing, truths = generated
    for feed_name, counts in truths[province]["feeds"].items():
        rows = oracle.read_feed(landing, feed_name, province)
        assert len(rows) == counts["rows"], feed_name


@pytest.mark.parametrize("province", ["36", "62"])
def test_present_counts_match_the_files(generated, province):
    landing, truths = generated
    records = oracle.load(landing, province)
    assert oracle.present(records) == truths[province]["present"]
    unresolved = [p for p in truths[province]["present"] if p["region_code"] is None]
    assert unresolved, "a few permits carry a bare ambiguous region name on purpose"


def _truth_findings(truth: dict, codes: set[str]) -> list[dict]:
    keys = ("finding_code", "region_code", "passport_norm", "country_code")
    return sorted(
        ({k: f[k] for k in keys} for f in truth["findings"] if f["finding_code"] in codes),
        key=oracle.finding_key,
    )


@pytest.mark.parametrize("province", ["36", "62"])
def test_planted_overstays_satisfy_the_rule_and_nothing_else_does(generated, province):
    landing, truths = generated
    records = oracle.load(landing, province)
    found = [f for f in oracle.findings(records) if f["finding_code"] == "OVERSTAY"]
    assert found == _truth_findings(truths[province], {"OVERSTAY"})
    assert len(found) >= 3
    # and each one really is: a sighting after the latest permit expiry
    for finding in found:
        who = (finding["passport_norm"], finding["country_code"])
        expiry = max(p["berakhir"] for p in records.permits if p["person"] == who)
        sightings = [r["masuk"] for r in records.lodging if r["person"] == who]
        sightings += [r["tanggal"] for r in records.police if r["person"] == who]
        assert any(expiry < day <= R for day in sightings)


@pytest.mark.parametrize("province", ["36", "62"])
def test_arrival_surge_is_planted_once(generated, province):
    landing, truths = generated
    records = oracle.load(landing, province)
    found = [f for f in oracle.findings(records) if f["finding_code"] == "LONJAKAN_KEDATANGAN"]
    assert found == _truth_findings(truths[province], {"LONJAKAN_KEDATANGAN"})
    assert len(found) == 1


def test_rejects_unknown_province(tmp_path):
    with pytest.raises(ValueError, match="unknown province"):
        generate("99", tmp_path / "landing")
