"""What a gate run produces: one CheckOutcome per expectation (a row of audit.dq_results) and one
GateResult per batch or mart. Plain data, shared by the gates (gate.py, marts.py) and the
failure samples (samples.py) without either importing the other."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GateResult:
    feed: str
    batch_id: str
    suite: str
    accepted: bool
    failed_blocking: list[str] = field(default_factory=list)
    failed_warnings: list[str] = field(default_factory=list)
    results_count: int = 0
    run_id: str = ""

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class CheckOutcome:
    """One expectation's outcome, as written to audit.dq_results."""

    expectation: str
    expectation_config: dict[str, Any]
    severity: str
    description: str
    success: bool
    observed_value: str | None
    unexpected_count: int | None
    unexpected_sample: list[Any] | None
