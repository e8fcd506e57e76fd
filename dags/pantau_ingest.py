"""Ingest DAGs: one per agency feed declared in `src/pantau/feeds.yml`.

Runs as soon as a file settles in `<landing>/<feed>/` (an AssetWatcher on the landing folder,
`pantau.orchestration.triggers`), and hourly as a fallback. Each run first fetches new files from
the feed's remote sources (SFTP, a team mailbox; the registry's `sources:`) into
`<landing>/<feed>/`, then picks up the files waiting there, loads each one exactly once into
`raw.<feed>` (quarantining what cannot be loaded, with a reason), runs the feed's quality suite
on each new batch (gate 1) and, when a batch is accepted, emits the feed's Asset so the warehouse
DAG rebuilds. A file that is rejected or quarantined fails `flag_refused_files` (something to alert
on: the agency must send it again); the feed's other files still load and publish. One task loads
all of a run's files and one judges all its batches: per-file tasks cost more in Airflow overhead
than the loads themselves (bench/RESULTS.md). Finally each sending agency is e-mailed what became
of its file. Data Docs are rebuilt in the warehouse DAG, not per file: rendering the site takes
minutes once results pile up. Adding a feed to the registry adds its DAG here; this one file
generates them all (rather than seven near-identical files).
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from pantau.orchestration import tasks
from pantau.orchestration.dag_defaults import POOL_GATE1, START_DATE, default_args
from pantau.orchestration.schedule import ingest_schedule
from pantau.registry import Feed, feeds


def build_ingest_dag(feed: Feed):
    @dag(
        dag_id=f"pantau_ingest__{feed.name}",
        description=f"{feed.agency}: {feed.description}",
        schedule=ingest_schedule(feed.name),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=default_args(),
        tags=["pantau", "ingest", feed.name],
        doc_md=__doc__,
    )
    def ingest():
        @task
        def fetch_sources() -> dict:
            from pantau import pipeline

            return pipeline.fetch_sources(feed.name)

        @task
        def validate_leftovers() -> list[dict]:
            from pantau import pipeline

            return pipeline.validate_leftover_batches(feed.name)

        # Runs even when a source failed: what was fetched, or dropped in the folder, still loads.
        @task(trigger_rule="all_done")
        def discover_files() -> list[str]:
            from pantau import pipeline

            return pipeline.discover_files(feed.name)

        @task
        def load_batches(paths: list[str]) -> list[dict]:
            from pantau import pipeline

            # One task per feed run, loading the files in order (one COPY at a time per feed keeps
            # the ledger order simple); a task per file cost about a second of Airflow overhead each.
            return pipeline.load_batches(feed.name, paths)

        @task(pool=POOL_GATE1)
        def validate_raw(outcomes: list[dict]) -> list[dict]:
            from pantau import pipeline

            return pipeline.validate_raw_batches(outcomes)  # gate 1, each batch of the run

        @task(outlets=[Asset(feed.asset_uri)])
        def publish_batches(verdicts: list[dict]) -> list[str]:
            # The Asset event when any batch was accepted; skipped (no event) otherwise.
            return tasks.publish_batches(verdicts)

        @task
        def flag_refused_files(verdicts: list[dict]) -> int:
            # A rejected or quarantined file fails this task: an alert; the accepted ones have
            # published all the same. Duplicates are nothing to fix.
            return tasks.flag_refused_files(verdicts)

        # After every file's fate is known, its agency hears of it (a failed mail never fails a load).
        @task(trigger_rule="all_done")
        def send_feedback() -> list[dict]:
            from pantau import pipeline

            return pipeline.send_feedback(feed.name)

        # Leftovers are validated after discovery (which creates the tables on a new warehouse)
        # and before this run's loads, so no batch is picked up twice.
        files = discover_files()
        fetch_sources() >> files
        loaded = load_batches(files)
        files >> validate_leftovers() >> loaded
        verdicts = validate_raw(loaded)
        publish_batches(verdicts)
        flag_refused_files(verdicts) >> send_feedback()

    return ingest()


for _feed in feeds().values():
    globals()[f"pantau_ingest__{_feed.name}"] = build_ingest_dag(_feed)
