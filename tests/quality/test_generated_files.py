"""The synthetic agency files (`pantau generate`), loaded by the real loader, pass gate 1.

This is the realism check for the blocking expectations: header variants, mixed date formats,
Excel serial dates, trailing spaces, blank optional cells and exact duplicate rows are what
real files carry, and none of it may reject a batch.
"""

from __future__ import annotations

import time

import pytest

from pantau.ingest.discover import discover
from pantau.ingest.loader import load_file
from pantau.quality import validate_raw_batch
from pantau.registry import feeds
from pantau_dev.generate import generate

FILES_PER_FEED = 2


@pytest.fixture(scope="module")
def loaded_batches(gate, tmp_path_factory):
    dsn, _ = gate
    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate("36", landing, seed=11, scale=0.1)
    outcomes = []
    for name, spec in feeds().items():
        ready = discover(landing, name, now=time.time() + 3600).ready  # no settle wait in tests
        for path in ready[:FILES_PER_FEED]:
            outcomes.append(load_file(spec, path, landing=landing, dsn=dsn))
    return outcomes


def test_every_feed_was_loaded(loaded_batches):
    assert {o.feed for o in loaded_batches if o.status == "loaded"} == set(feeds())


def test_generated_batches_pass_the_blocking_checks(gate, loaded_batches):
    rejected = {}
    for outcome in loaded_batches:
        result = validate_raw_batch(outcome.feed, outcome.batch_id)
        if not result.accepted:
            rejected[outcome.source_file] = result.failed_blocking
    assert rejected == {}
