"""Adding a feed or a header alias is a registry change only: no code changes, and the ingest DAG,
the raw table and header matching follow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import yaml

from pantau import config
from pantau.registry import REGISTRY_PATH, header_key, load_registry

NEW_FEED = {
    "agency": "Dinas Pariwisata",
    "description": "Foreign tour groups reported by travel agents",
    "formats": ["csv"],
    "cadence_days": 7,
    "natural_key": ["no_rombongan"],
    "suite": "raw__pariwisata_rombongan",
    "columns": {
        "no_rombongan": {"required": True, "aliases": ["nomor rombongan", "group number"]},
        "kewarganegaraan": {"required": True, "aliases": ["nationality"]},
        "jumlah_orang": {"aliases": ["jumlah", "group size"]},
        "kabupaten_kota": {"required": True, "aliases": ["kab/kota"]},
    },
}


def extended_registry(tmp_path: Path) -> Path:
    data = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    data["feeds"]["pariwisata_rombongan"] = NEW_FEED
    data["feeds"]["imigrasi_apoa"]["columns"]["no_paspor"]["aliases"].append("Nomor Dokumen Perjalanan")
    path = tmp_path / "feeds.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_with_registry(registry: Path, code: str) -> str:
    env = {**os.environ, "PANTAU_FEED_REGISTRY": str(registry)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=config.PROJECT_ROOT,
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_new_feed_gets_its_dag_raw_table_and_header_matching(tmp_path, make_database):
    registry = extended_registry(tmp_path)
    dsn = make_database(bootstrap=False)
    out = run_with_registry(
        registry,
        "import json, sys; from pantau import warehouse; from pantau.orchestration import airflow_local;"
        "airflow_local.configure(); dags = airflow_local.load_dags();"
        f"warehouse.bootstrap({dsn!r});"
        "print(json.dumps(sorted(dags)))",
    )
    assert "pantau_ingest__pariwisata_rombongan" in json.loads(out)
    with psycopg.connect(dsn) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'pariwisata_rombongan' order by ordinal_position"
            )
        ]
    assert columns[:4] == ["no_rombongan", "kewarganegaraan", "jumlah_orang", "kabupaten_kota"]


def test_a_new_alias_is_matched_case_space_and_punctuation_insensitively(tmp_path):
    feeds = load_registry(extended_registry(tmp_path))
    index = feeds["imigrasi_apoa"].alias_index()
    assert index[header_key("NOMOR DOKUMEN PERJALANAN")] == "no_paspor"
    assert index[header_key("nomor_dokumen-perjalanan.")] == "no_paspor"
    assert feeds["pariwisata_rombongan"].alias_index()[header_key("Group Size")] == "jumlah_orang"
