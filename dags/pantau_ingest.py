"""Ingest DAGs: one per agency feed declared in `src/pantau/feeds.yml`.

Each run first fetches new files from the feed's remote sources (SFTP, a team mailbox; the
registry's `sources:`) into `<landing>/<feed>/`, then picks up the files waiting there, loads each
one exactly once into `raw.<feed>` (quarantining what cannot be loaded, with a reason), runs the
feed's quality suite on the new batch (gate 1) and, for accepted batches, emits the feed's Asset
so the warehouse DAG rebuilds. A file that is rejected or quarantined fails its own
`validate_raw` task (something to alert on: the agency must send it again); the feed's other
files still load and publish. Finally each sending agency is e-mailed what became of its file.
Data Docs are rebuilt there, not per file: rendering the site takes minutes once results pile up.
Adding a feed to the registry adds its DAG here; this one file generates them all (rather than
seven near-identical files).
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from pantau.orchestration import tasks
from pantau.orchestration.dag_defaults import START_DATE, default_args
from pantau.registry import Feed, feeds


def build_ingest_dag(feed: Feed):
    @dag(
        dag_id=f"pantau_ingest__{feed.name}",
        description=f"{feed.agency}: {feed.description}",
        schedule="@hourly",
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

        @task(max_active_tis_per_dagrun=1)  # one COPY at a time per feed keeps the ledger order simple
        def load_batch(path: str) -> dict:
            from pantau import pipeline

            return pipeline.load_batch(feed.name, path)

        @task(outlets=[Asset(feed.asset_uri)])
        def validate_raw(outcome: dict) -> dict:
            # A rejected or quarantined file fails this (mapped) task: an alert, no Asset event;
            # the feed's other files carry on. A duplicate is skipped.
            return tasks.validate_raw(outcome)

        # After every file's fate is known, its agency hears of it (a failed mail never fails a load).
        @task(trigger_rule="all_done")
        def send_feedback() -> list[dict]:
            from pantau import pipeline

            return pipeline.send_feedback(feed.name)

        # Leftovers are validated after discovery (which creates the tables on a new warehouse)
        # and before this run's loads, so no batch is picked up twice.
        files = discover_files()
        fetch_sources() >> files
        loaded = load_batch.expand(path=files)
        files >> validate_leftovers() >> loaded
        validate_raw.expand(outcome=loaded) >> send_feedback()

    return ingest()


for _feed in feeds().values():
    globals()[f"pantau_ingest__{_feed.name}"] = build_ingest_dag(_feed)
