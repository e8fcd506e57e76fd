"""The dbt project's SQL style (dbt_project/.sqlfluff, dbt templater): `make sqllint`, run as part
of the suite so that its minute of CPU shares the cores with the other tests (`make test` ran it
alone before pytest started)."""

from __future__ import annotations

import subprocess

import pytest

from pantau import config


@pytest.mark.slow
def test_dbt_models_follow_the_sql_style() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "sqllint", "SQLFLUFF_PROCESSES=1"],  # the workers use both cores
        cwd=config.PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, (done.stdout[-8000:], done.stderr[-2000:])
