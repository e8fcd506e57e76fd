"""`pantau` command line: generate, run, brief, status, demo."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

from pantau import config
from pantau.demo import DEMO_AS_OF, DEMO_DATABASE, dev_generator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pantau", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write synthetic agency files into a landing zone")
    gen.add_argument("--province", required=True, help="Kemendagri province code (36 Banten, 51 Bali, ...)")
    gen.add_argument("--out", type=Path, default=None, help="landing zone (default: PANTAU_LANDING_DIR)")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--scale", type=float, default=1.0)
    gen.add_argument("--truth", type=Path, default=None, help="ground-truth JSON (default: beside --out)")

    run = sub.add_parser("run", help="the whole pipeline over a landing zone, through the Airflow DAGs")
    run.add_argument("--landing", type=Path, default=None, help="landing zone (default: PANTAU_LANDING_DIR)")

    brief = sub.add_parser("brief", help="render the briefing for one meeting (any region and date)")
    brief.add_argument("--region", required=True, help="region code, e.g. 36 or 36.73")
    brief.add_argument("--meeting", required=True, type=date.fromisoformat, help="meeting date YYYY-MM-DD")
    brief.add_argument("--language", default="id", choices=["id", "en"])
    brief.add_argument(
        "--cutoff",
        type=date.fromisoformat,
        help="data cut-off YYYY-MM-DD (default: PANTAU_AS_OF, else meeting date minus the meeting's "
        "lead days; a meeting not in the calendar gets a generic title and the default lead days)",
    )

    sub.add_parser("status", help="loads, quality and findings at a glance")
    sub.add_parser("demo", help="generate sample files for Banten and Kalimantan Tengah, run, brief")

    srv = sub.add_parser("serve", help="Airflow's own components (UI, scheduler, ...) on this machine")
    srv.add_argument("--port", type=int, default=8080, help="UI and REST API port on 127.0.0.1")
    srv.add_argument("--executor", choices=["local", "celery"], default="local")
    srv.add_argument("--workers", type=int, default=2, help="Celery workers (with --executor celery)")
    srv.add_argument("--broker", default="redis://127.0.0.1:6379/0", help="Celery broker (Redis)")
    srv.add_argument(
        "--demo", action="store_true", help="drop the demo's sample files into the landing zone once up"
    )

    args = parser.parse_args(argv)
    try:
        return {
            "generate": cmd_generate,
            "run": cmd_run,
            "brief": cmd_brief,
            "status": cmd_status,
            "demo": cmd_demo,
            "serve": cmd_serve,
        }[args.command](args)
    except config.ConfigError as exc:
        print(f"pantau: {exc}", file=sys.stderr)
        return 2


def cmd_generate(args) -> int:
    generate = dev_generator()
    out = args.out or config.landing_dir()
    truth = generate(args.province, out, seed=args.seed, scale=args.scale, truth=args.truth)
    counts = ", ".join(f"{feed} {info['rows']}" for feed, info in truth["feeds"].items())
    print(f"generated province {args.province} into {out}: {counts}")
    return 0


def cmd_run(args) -> int:
    from pantau import progress, report, runner

    config.pii_key()  # fail fast, before anything is loaded
    landing = args.landing or config.landing_dir()
    with progress.to_terminal():
        summary = runner.run_pipeline(landing)
    print(report.format_run(summary))
    return 0 if summary.ok else 1


def cmd_brief(args) -> int:
    from pantau.briefing import render_briefing

    config.export_tool_env()
    result = render_briefing(args.region, args.meeting, language=args.language, cutoff=args.cutoff)
    print(f"briefing: {result.path}")
    print(
        f"  sha256 {result.sha256}, {result.page_count} pages, data cut-off {result.data_cutoff}, "
        f"quality: {result.quality_status}"
    )
    return 0


def cmd_status(args) -> int:
    import psycopg

    from pantau import report

    try:
        data = report.status()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable) as exc:
        dbname = config.dsn_parts()["dbname"]
        print(
            f"pantau: the warehouse {dbname!r} has nothing to report ({str(exc).strip().splitlines()[0]}). "
            "Set PANTAU_WAREHOUSE_DSN; after `make demo` it is 'host=127.0.0.1 user=postgres "
            f"dbname={DEMO_DATABASE}'.",
            file=sys.stderr,
        )
        return 2
    print(report.format_status(data))
    return 0


def cmd_demo(args) -> int:
    """Everything a newcomer needs to see: own database, fresh landing zone, both pilot provinces."""
    from pantau import demo, progress

    started = time.monotonic()
    with progress.to_terminal():
        code = demo.run_demo()
    print(f"Demo finished in {time.monotonic() - started:.0f} s at {datetime.now():%H:%M:%S}.")
    return code


def cmd_serve(args) -> int:
    from pantau import serve

    if args.demo:
        config.ensure_demo_pii_key()
        os.environ.setdefault("PANTAU_AS_OF", DEMO_AS_OF)
    config.pii_key()  # fail fast: every warehouse task needs it
    settings = serve.ServeSettings(
        port=args.port,
        executor={"local": "LocalExecutor", "celery": "CeleryExecutor"}[args.executor],
        celery_workers=args.workers,
        broker_url=args.broker,
    )

    def ready(server) -> None:
        password = (
            "PANTAU_UI_PASSWORD" if os.environ.get("PANTAU_UI_PASSWORD") else serve.ui_password(settings)
        )
        print(
            f"\nAirflow UI: {settings.base_url}  (user {serve.UI_USER}, password {password})"
            f"\nLanding zone: {config.landing_dir()}   logs: {settings.home / 'logs'}"
            "\nCtrl-C stops every component.",
            flush=True,
        )
        if args.demo:
            generate = dev_generator()
            for province in ("36", "62"):
                generate(
                    province, config.landing_dir(), seed=2025, truth=settings.home / f"truth_{province}.json"
                )
            print(f"Sample files for Banten and Kalimantan Tengah are in {config.landing_dir()}", flush=True)

    return serve.serve(settings, on_ready=ready)


if __name__ == "__main__":
    sys.exit(main())
