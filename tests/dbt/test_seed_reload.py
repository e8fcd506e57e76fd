"""Seeds are loaded again only when their file or settings changed (macros/seed_unchanged.sql),
shown on a copy of the dbt project against a real warehouse: a row added to a table by hand
survives a rebuild that had nothing new to load, and is gone when the seed had to be loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from dbt_cli import run_dbt

from pantau import config, transform

SEEDS = ["countries", "visa_index_codes"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt_project"
    shutil.copytree(config.DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


def seed(project: Path, work: Path, *extra: str) -> str:
    result = run_dbt(["seed", "--select", *SEEDS, *extra], work, project_dir=project)
    assert result.returncode == 0, result.stdout[-6000:]
    return result.stdout


def kept(dsn: str) -> dict[str, bool]:
    """Which seed tables still hold the row added by hand (add_by_hand) since their last load."""
    with psycopg.connect(dsn) as conn:
        country = conn.execute("select count(*) from staging.countries where country_code = 'ZZZ'")
        visa = conn.execute("select count(*) from staging.visa_index_codes where indeks_visa = 'UJI'")
        return {"countries": country.fetchone()[0] > 0, "visa_index_codes": visa.fetchone()[0] > 0}


def add_by_hand(dsn: str) -> None:
    """A row no seed file holds, in each table: it survives only if the table is not loaded again."""
    with psycopg.connect(dsn) as conn:
        conn.execute("insert into staging.countries (country_code, name_en) values ('ZZZ', 'Test')")
        conn.execute("insert into staging.visa_index_codes (indeks_visa) values ('UJI')")


def test_a_seed_is_loaded_again_only_when_its_file_or_settings_changed(
    warehouse_db: str, project: Path, tmp_path: Path, tool_env: None
) -> None:
    config.export_tool_env()
    work = tmp_path / "dbt"
    seed(project, work)  # first load: both tables made, each with its key
    add_by_hand(warehouse_db)

    assert transform.SEED_KEPT_STATUS in seed(project, work)  # nothing new: both kept as they are
    assert kept(warehouse_db) == {"countries": True, "visa_index_codes": True}

    # A changed file is loaded again; the other seed is kept.
    visa = project / "seeds" / "visa_index_codes.csv"
    visa.write_text(visa.read_text(encoding="utf-8") + "UJI2,kunjungan,ITK,false,false,uji\n")
    seed(project, work)
    assert kept(warehouse_db) == {"countries": True, "visa_index_codes": False}

    # Changed settings (the seeds' tags in dbt_project.yml) load both again.
    add_by_hand(warehouse_db)
    settings = project / "dbt_project.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("+tags: [reference]", "+tags: [reference, uji]"))
    seed(project, work)
    assert kept(warehouse_db) == {"countries": False, "visa_index_codes": False}

    # --full-refresh loads regardless; so does a table whose key is gone (recreated by other means).
    add_by_hand(warehouse_db)
    seed(project, work, "--full-refresh")
    assert kept(warehouse_db) == {"countries": False, "visa_index_codes": False}
    add_by_hand(warehouse_db)
    with psycopg.connect(warehouse_db) as conn:
        conn.execute("comment on table staging.countries is null")
    seed(project, work)
    assert kept(warehouse_db) == {"countries": False, "visa_index_codes": True}
