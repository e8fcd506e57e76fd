"""Render several briefings at once, one process per core.

Each briefing is independent (its own meeting, its own reads of the marts, its own PDF), and
rendering is CPU-bound Python (WeasyPrint's layout), so threads would not help: a process pool
does. The workers are started fresh (`spawn`), not forked: the caller may hold Airflow, dbt or
database threads and connections that a fork would copy half-way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date

from pantau import progress
from pantau.briefing.render import BriefingResult
from pantau.calendar import region_level


def default_workers() -> int:
    return max(1, int(os.environ.get("PANTAU_BRIEFING_WORKERS", 0)) or len(os.sched_getaffinity(0)))


def _render_chain(chain: list[tuple[int, str, date]], options: dict) -> list[tuple[int, BriefingResult]]:
    from pantau.briefing import render_briefing

    return [(number, render_briefing(region, day, **options)) for number, region, day in chain]


def _chains(meetings: Sequence[tuple[str, date]]) -> list[list[tuple[int, str, date]]]:
    """One chain per region, in meeting order: a briefing reads the figures its region's previous
    briefing wrote ("changes since the last meeting"), so those must be rendered first."""
    chains: dict[str, list[tuple[int, str, date]]] = defaultdict(list)
    for number, (region, day) in enumerate(meetings):
        chains[region].append((number, region, day))
    return [sorted(chain, key=lambda item: item[2]) for chain in chains.values()]


def _biggest_first(chains: list[list[tuple[int, str, date]]]) -> list[list[tuple[int, str, date]]]:
    """More meetings first, then a province's chain (its briefing has the most pages) before a
    kab/kota's: the renders left for the end are short ones, so no core waits long on the other."""
    return sorted(
        chains, key=lambda chain: (len(chain), region_level(chain[0][1]) == "provinsi"), reverse=True
    )


def render_many(
    meetings: Sequence[tuple[str, date]], *, workers: int | None = None, **options
) -> list[BriefingResult]:
    """Render the briefing of each (region code, meeting date); results in the order given.
    `options` go to render_briefing (language, dsn, out_dir, calendar_path, strict).

    Regions are spread over the workers; with one worker (or one region) everything happens in
    this process."""
    chains = _chains(meetings)
    workers = min(workers or default_workers(), len(chains)) or 1
    results: dict[int, BriefingResult] = {}

    def collect(rendered: list[tuple[int, BriefingResult]]) -> None:
        for number, result in rendered:
            results[number] = result
            _report(result, len(results), len(meetings))

    if workers == 1:
        for chain in chains:
            collect(_render_chain(chain, options))
        return [results[n] for n in range(len(meetings))]
    # The workers read their settings (warehouse, output folder, cut-off) from the environment,
    # which they inherit as os.environ stands now.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_render_chain, chain, options) for chain in _biggest_first(chains)]
        for future in as_completed(futures):
            collect(future.result())
    return [results[n] for n in range(len(meetings))]


def _report(result: BriefingResult, done: int, total: int) -> None:
    progress.emit(
        f"briefing {done} of {total} rendered: {result.region_code} {result.meeting_date} "
        f"({result.page_count} pages, quality: {result.quality_status}) {result.path.name}"
    )
