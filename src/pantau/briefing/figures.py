"""Each briefing's headline figures, kept beside its PDF, so the next meeting's briefing can show
the change even when the marts keep only their latest run (they are rebuilt by every dbt build).

`briefing_<region>_<date>_<lang>.json`: counts only, no personal data.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pantau.briefing.breakdowns import Breakdowns
from pantau.briefing.data import MartData


@dataclass(frozen=True)
class Figures:
    reference_date: date | None
    present: int | None
    workers: int | None
    workers_reference_date: date | None


def figures_path(pdf_path: Path) -> Path:
    return pdf_path.with_suffix(".json")


def write_figures(pdf_path: Path, marts: MartData, extra: Breakdowns) -> Path:
    workers = extra.workers
    record = {
        "region_code": marts.region.region_code,
        "reference_date": marts.reference_date.isoformat() if marts.reference_date else None,
        "present": marts.totals["present"] if marts.has_presence else None,
        "open_findings": marts.totals["open_findings"] if marts.has_findings else None,
        "workers": workers.total if workers else None,
        "workers_reference_date": workers.reference_date.isoformat()
        if workers and workers.reference_date
        else None,
    }
    target = figures_path(pdf_path)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, target)
    return target


def read_figures(folder: Path, names: list[str]) -> Figures | None:
    """The first of the PDFs `names` (in `folder`) that has its figures beside it."""
    for name in names:
        path = figures_path(folder / name)
        if not path.is_file():
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a damaged file: compare with nothing rather than fail the briefing

        return Figures(
            _day(record, "reference_date"),
            record.get("present"),
            record.get("workers"),
            _day(record, "workers_reference_date"),
        )
    return None


def _day(record: dict, key: str) -> date | None:
    return date.fromisoformat(record[key]) if record.get(key) else None


def fill_from_previous(marts: MartData, extra: Breakdowns, previous: Figures | None) -> None:
    """Where the marts cannot say what the previous meeting saw, take its briefing's figures."""
    if previous is None:
        return
    if marts.previous_present is None and previous.present is not None and marts.has_presence:
        marts.previous_present = previous.present
        marts.previous_reference_date = previous.reference_date
    workers = extra.workers
    if workers is not None and workers.previous_total is None and previous.workers is not None:
        workers.previous_total = previous.workers
