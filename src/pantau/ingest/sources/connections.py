"""Credentials for remote sources: Airflow connections only (the metadata database, a secrets
backend, or an AIRFLOW_CONN_<ID> environment variable), never the registry."""

from __future__ import annotations


class SourceError(RuntimeError):
    """A source could not be read (unreachable, refused, misconfigured); the run retries later."""


def get_connection(conn_id: str):
    from airflow.sdk import BaseHook  # Airflow only when a remote source is actually read

    try:
        return BaseHook.get_connection(conn_id)
    except Exception as exc:  # AirflowNotFoundException and friends
        raise SourceError(
            f"Airflow connection {conn_id!r} is not defined: add it in the Airflow UI or set "
            f"AIRFLOW_CONN_{conn_id.upper()} ({type(exc).__name__}: {exc})"
        ) from exc
