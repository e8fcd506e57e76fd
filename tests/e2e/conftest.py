"""One pipeline run for the whole e2e package: Banten (36) and Bali (51) generated into one
landing zone, as a Tim POA warehouse serving several provinces holds them, then every DAG run
once through `dag.test()` (real PostgreSQL, dbt, GX). test_pipeline.py checks it against the
generator's ground truth and then changes it (reruns, a duplicate, bad files); test_bali.py
checks the province the pilots did not cover. A second pipeline run for Bali alone cost two
minutes of CPU and checked nothing this one does not.

Both modules are one xdist group, so the run is made once, on one worker.
"""

from __future__ import annotations

import json
import os

import pytest

from pantau import config, runner, transform
from pantau_dev.generate import generate

SEEDS = {"36": 7, "51": 51}  # province -> generator seed


@pytest.fixture(scope="package")
def pipeline(tmp_path_factory):
    """Generate both provinces, run once, and hand the tests the database, landing zone, ground
    truths (`truths[province]`) and each province's files (`files[province]`)."""
    root = tmp_path_factory.mktemp("e2e")
    landing = root / "landing"
    scale = float(os.environ.get("PANTAU_E2E_SCALE", "0.05"))
    truths, files = {}, {}  # files: each province's agency files, as the ledger names them
    for code, seed in SEEDS.items():
        before = set(landing.glob("*/*"))
        truths[code] = generate(code, landing, seed=seed, scale=scale)
        files[code] = sorted(str(p.relative_to(landing)) for p in set(landing.glob("*/*")) - before)
    (as_of,) = {truth["reference_date"] for truth in truths.values()}
    dsn = config.with_database(config.warehouse_dsn(), f"pantau_e2e_{os.getpid()}")
    saved = dict(os.environ)  # the run exports more (landing zone, dbt's login): all put back after
    os.environ.update(
        PANTAU_WAREHOUSE_DSN=dsn,
        PANTAU_OUTPUT_DIR=str(root / "output"),
        PANTAU_SETTLE_SECONDS="0",
        PANTAU_AS_OF=as_of,
    )
    config.warehouse_dsn.cache_clear()
    from pantau import warehouse

    warehouse.drop_database(dsn)
    try:
        summary = runner.run_pipeline(landing)
        # What the warehouse DAG's `dbt build` ran, node by node (the last dbt command of the run).
        build = json.loads((transform.dbt_paths()["target"] / "run_results.json").read_text())
        yield {
            "build_results": {r["unique_id"]: r for r in build["results"]},
            "dsn": dsn,
            "landing": landing,
            "truths": truths,
            "files": files,
            "summary": summary,
            "root": root,
        }
    finally:
        warehouse.drop_database(dsn)
        os.environ.clear()
        os.environ.update(saved)
        config.warehouse_dsn.cache_clear()
