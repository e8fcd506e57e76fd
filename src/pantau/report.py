"""Plain-text summaries for the command line (`pantau run`, `pantau status`)."""

from __future__ import annotations

from collections import Counter, defaultdict

import psycopg

from pantau import config
from pantau.registry import feeds

FAILED_CHECKS_SHOWN = 30  # the most recent; the auditor view and Data Docs hold every one


def format_run(summary) -> str:
    lines = [f"Pantau run over {summary.landing}"]
    by_feed: dict[str, list[dict]] = defaultdict(list)
    for row in summary.files:
        by_feed[row["feed"]].append(row)
    for feed_name in [*feeds(), *sorted(set(by_feed) - set(feeds()))]:
        rows = by_feed.get(feed_name, [])
        statuses = Counter(r["status"] for r in rows)
        loaded = sum(r["row_count"] for r in rows if r["status"] in {"accepted", "loaded"})
        rejected_rows = sum(r["reject_count"] for r in rows)
        parts = [f"{n} {status}" for status, n in sorted(statuses.items())] or ["no new files"]
        lines.append(
            f"  {feed_name:<24} {', '.join(parts)}; {loaded} rows loaded, {rejected_rows} rows rejected"
        )
        for r in rows:
            if r["status"] in {"rejected", "quarantined"}:
                lines.append(f"      {r['status']}: {r['source_file']} ({r['error_code'] or 'quality gate'})")
    lines.append("DAG runs:")
    for dag_id, state in summary.dag_states.items():
        if summary.refused_files_only(dag_id):
            feed_name = dag_id.removeprefix("pantau_ingest__")
            count = sum(
                1
                for f in summary.files
                if f["feed"] == feed_name and f["status"] in {"rejected", "quarantined"}
            )
            state = f"{state}: {count} file(s) not accepted, as listed above (task flag_refused_files)"
        lines.append(f"  {dag_id:<40} {state}")
    lines.extend(_mart_lines())
    if summary.data_docs:
        lines.append(f"Data Docs: {summary.data_docs}")
    lines.append(f"Task logs: {summary.log_path}")
    return "\n".join(lines)


def _mart_lines() -> list[str]:
    try:
        with psycopg.connect(config.warehouse_dsn()) as conn:
            present = conn.execute(
                "select coalesce(sum(foreigner_count), 0) from marts.fct_foreigners_present"
            ).fetchone()[0]
            # In the finding catalogue's order (marts.dim_finding_types, seed finding_types.csv).
            findings = conn.execute(
                "select findings.finding_code, count(*) from marts.fct_findings as findings "
                "left join marts.dim_finding_types as finding_types "
                "on findings.finding_code = finding_types.finding_code "
                "where findings.status <> 'selesai' "
                "group by findings.finding_code, finding_types.display_order "
                "order by finding_types.display_order nulls last, findings.finding_code"
            ).fetchall()
    except psycopg.errors.UndefinedTable:
        return ["Marts: not built yet"]
    found = ", ".join(f"{code} {n}" for code, n in findings) or "none"
    return [f"Marts: {present} foreigners present; open findings: {found}"]


def status() -> dict:
    with psycopg.connect(config.warehouse_dsn()) as conn:
        cur = conn.execute(
            """
            select distinct on (feed) feed, source_file, status, row_count, reject_count, error_code,
                   received_at
            from audit.load_ledger
            order by feed, received_at desc
            """
        )
        names = [c.name for c in cur.description]
        latest = {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
        freshness = dict(conn.execute("select feed, freshness_status from audit.feed_freshness").fetchall())
        # The checks of each rejected batch's latest validation (audit.batch_latest_checks), named
        # as the suite names them.
        failed = conn.execute(
            """
            select l.feed, l.source_file,
                   coalesce(r.expectation_config ->> 'description', r.expectation)
                   || coalesce(' [' || (r.expectation_config ->> 'column') || ']', '')
            from audit.load_ledger as l
            join audit.batch_latest_checks as r using (batch_id)
            where l.status = 'rejected' and not r.success and r.severity = 'blocking'
            order by l.received_at desc, l.source_file, (r.expectation_config ->> 'suite_index')::int
            limit %s
            """,
            (FAILED_CHECKS_SHOWN,),
        ).fetchall()
        # Dates no one can read in each feed's latest file: loaded (a minority warns), but the cells
        # are empty in the marts until the agency corrects them: file, column, row and value.
        unreadable = conn.execute(
            """
            select l.feed, l.source_file, r.expectation_config ->> 'column', r.unexpected_count,
                   r.unexpected_sample
            from (
                select distinct on (feed) feed, batch_id, source_file
                from audit.load_ledger
                where status <> 'quarantined'
                order by feed, received_at desc
            ) as l
            join audit.batch_latest_checks as r using (batch_id)
            where not r.success and r.severity = 'warning'
              and r.expectation_config ->> 'measure' like 'unreadable:%%'
            order by l.feed, (r.expectation_config ->> 'suite_index')::int
            """
        ).fetchall()
    return {"latest": latest, "failed_checks": failed, "freshness": freshness, "unreadable_dates": unreadable}


def format_status(data: dict) -> str:
    lines = ["Feed status (latest file per feed):"]
    for feed_name in feeds():
        row = data["latest"].get(feed_name)
        fresh = data["freshness"].get(feed_name, "tidak ada")
        if row is None:
            lines.append(f"  {feed_name:<24} [{fresh}] no file received")
            continue
        lines.append(
            f"  {feed_name:<24} [{fresh}] {row['status']:<11} {row['source_file']} ({row['row_count']} rows, "
            f"{row['reject_count']} rejected rows) at {row['received_at']:%Y-%m-%d %H:%M}"
        )
    if data["failed_checks"]:
        lines.append("Rejected files and the checks they failed:")
        lines.extend(f"  {feed}: {source}: {check}" for feed, source, check in data["failed_checks"])
    if data.get("unreadable_dates"):
        lines.append("Dates that are no real date (latest files; empty in the marts until corrected):")
        for feed, source, column, count, sample in data["unreadable_dates"]:
            rows = ", ".join(f"row {r.get('_row_number')}: {r.get(column)!r}" for r in sample or [])
            more = f" and {count - len(sample or [])} more" if count and count > len(sample or []) else ""
            lines.append(f"  {feed}: {source}: {column}: {rows}{more}")
    lines.extend(_mart_lines())
    return "\n".join(lines)
