"""Data-quality gates (Great Expectations 1.x): gate 1 on raw batches, gate 2 on the marts,
Data Docs for auditors.

Cheap to import: great_expectations is imported only when a gate actually runs.
"""

from __future__ import annotations

from pantau.quality.docs import build_data_docs
from pantau.quality.gate import GateError, GateResult, validate_raw_batch
from pantau.quality.marts import validate_marts

__all__ = ["GateError", "GateResult", "build_data_docs", "validate_marts", "validate_raw_batch"]
