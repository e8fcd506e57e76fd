"""`pantau serve`: Airflow's own components on a data engineer's machine, without Docker.

The same components as the deployment (docker-compose.yml): api-server (the UI and REST API),
scheduler, dag-processor and triggerer, with LocalExecutor (or CeleryExecutor on Redis and N
workers). Airflow's metadata lives in its own PostgreSQL database on the warehouse's server
(the configured one, the local one or the embedded one); the warehouse is initialised once as
the administrator and every task then logs in with the least privilege its work needs
(`pantau.roles`). Every process is started in its own process group and stopped with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from pantau import config, roles
from pantau.orchestration.dag_defaults import POOL_DBT, POOL_GATE1, POOL_RENDER, create_pools

UI_USER = "admin"
METADATA_DATABASE = "pantau_airflow"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
# `fast`: short parsing and polling intervals, for tests (set in the environment of a `pantau
# serve` command line, they apply as well: Airflow reads them from there).
FAST_INTERVALS = {
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "30",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
    "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
}

# Airflow's executors, started with the tasks' libraries already imported (a task process is a
# fork of the executor's: pantau.orchestration.executors). One place for the compose file too.
EXECUTOR_PATHS = {
    "LocalExecutor": "pantau.orchestration.executors.PreloadingLocalExecutor",
    "CeleryExecutor": "CeleryExecutor",
}
CELERY_CONFIG_OPTIONS = "pantau.orchestration.celery_config.CELERY_CONFIG"

# Logins the services use (pantau.roles): which group each joins. One place for the mapping.
SERVICE_LOGINS = {
    "loader": roles.LOADER,  # ingest: load files, gate 1
    "transformer": roles.TRANSFORMER,  # dbt
    "reader": roles.READER,  # briefing (plus its audit rows: see roles.READER_WRITES_AUDIT)
    "auditor": roles.AUDITOR,  # Data Docs, housekeeping
}

# Pools: bounded slots for the heavy kinds of work, sized for two cores by default.
POOLS = {
    POOL_GATE1: ("PANTAU_POOL_GATE1_SLOTS", 2, "gate 1 (Great Expectations on raw batches)"),
    POOL_DBT: ("PANTAU_POOL_DBT_SLOTS", 1, "dbt builds of the warehouse"),
    POOL_RENDER: ("PANTAU_POOL_RENDER_SLOTS", 1, "briefing PDFs and Data Docs"),
}


def pool_slots() -> dict[str, int]:
    """Each pool's size: its PANTAU_POOL_*_SLOTS setting, else the two-core default."""
    sizes = {}
    for name, (variable, default, _) in POOLS.items():
        value = os.environ.get(variable, str(default))
        try:
            sizes[name] = int(value)
        except ValueError as exc:
            raise config.ConfigError(f"{variable}={value!r} is not a whole number of slots") from exc
        if sizes[name] < 1:
            raise config.ConfigError(f"{variable}={value!r}: a pool needs at least one slot")
    return sizes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ServeSettings:
    """What `pantau serve` runs; the defaults are the data engineer's machine."""

    home: Path = field(default_factory=lambda: config.STATE_DIR / "serve")
    port: int = 8080
    warehouse_dsn: str = ""  # administrator's DSN; empty: config.warehouse_dsn()
    # Airflow's metadata database (PANTAU_AIRFLOW_DATABASE) and the service logins' name prefix
    # (PANTAU_SERVICE_LOGIN_PREFIX): one of each per deployment sharing a PostgreSQL server.
    metadata_database: str = field(
        default_factory=lambda: os.environ.get("PANTAU_AIRFLOW_DATABASE", METADATA_DATABASE)
    )
    executor: str = "LocalExecutor"  # or CeleryExecutor
    celery_workers: int = 2
    broker_url: str = "redis://127.0.0.1:6379/0"
    celery_queue: str = "default"  # a queue of its own keeps deployments sharing a Redis apart
    least_privilege: bool = True
    login_prefix: str = field(
        default_factory=lambda: os.environ.get("PANTAU_SERVICE_LOGIN_PREFIX", "pantau_svc")
    )
    parallelism: int = 4  # task slots in all (two cores: more only queue up in the OS)
    fast: bool = False  # short parsing and polling intervals (tests)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def password_file(self) -> Path:
        return self.airflow_home / "simple_auth_manager_passwords.json"


def _admin_dsn(settings: ServeSettings) -> str:
    return settings.warehouse_dsn or config.warehouse_dsn()


def _metadata_owner(settings: ServeSettings) -> str:
    """The login of its own that owns Airflow's metadata database (least privilege)."""
    return f"{settings.login_prefix}_airflow"


def metadata_login(settings: ServeSettings) -> tuple[str, str | None]:
    """Who Airflow's components log in as to their metadata database: a login of their own that
    owns that database and nothing else (least privilege); the administrator without it."""
    if not settings.least_privilege:
        parts = config.dsn_parts(_admin_dsn(settings))
        return parts["user"], parts["password"] or None
    return _metadata_owner(settings), _secret(settings, "db_airflow")


def metadata_url(settings: ServeSettings) -> str:
    """SQLAlchemy URL of Airflow's metadata database, on the warehouse's server."""
    from sqlalchemy.engine import URL

    parts = config.dsn_parts(_admin_dsn(settings))
    user, password = metadata_login(settings)
    return URL.create(
        "postgresql+psycopg",
        username=user,
        password=password,
        host=parts["host"],
        port=int(parts["port"]),
        database=settings.metadata_database,
    ).render_as_string(hide_password=False)


def _secret(settings: ServeSettings, name: str) -> str:
    """A random secret kept in the serve home (same across restarts, never in the repository)."""
    path = settings.home / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def ui_password(settings: ServeSettings) -> str:
    """The UI login's password: PANTAU_UI_PASSWORD, else one generated once and kept in the home."""
    return os.environ.get("PANTAU_UI_PASSWORD") or _secret(settings, "ui_password")


def login_dsns(settings: ServeSettings) -> dict[str, str]:
    """DSN of each service login (same server and database as the administrator's)."""
    admin = _admin_dsn(settings)
    return {
        service: psycopg.conninfo.make_conninfo(
            admin, user=f"{settings.login_prefix}_{service}", password=_secret(settings, f"db_{service}")
        )
        for service in SERVICE_LOGINS
    }


def ensure_logins(admin_dsn: str, dsns: dict[str, str]) -> None:
    """Create (or update) each service's login, with the user and password its DSN names."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        for service, dsn in dsns.items():
            parts = config.dsn_parts(dsn)
            roles.create_login_user(conn, parts["user"], SERVICE_LOGINS[service], password=parts["password"])


def airflow_env(settings: ServeSettings, *, ports: dict[str, int]) -> dict[str, str]:
    """The environment every component runs with (Airflow settings and Pantau's)."""
    env = os.environ.copy()
    env.update(
        {
            "AIRFLOW_HOME": str(settings.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(config.DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": EXECUTOR_PATHS[settings.executor],
            "AIRFLOW__CORE__PARALLELISM": str(settings.parallelism),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{settings.base_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{UI_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(settings.password_file),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url(settings),
            "AIRFLOW__API__BASE_URL": settings.base_url,
            "AIRFLOW__API__SECRET_KEY": _secret(settings, "api_secret_key"),
            "AIRFLOW__API_AUTH__JWT_SECRET": _secret(settings, "jwt_secret"),
            "AIRFLOW__API__EXPOSE_CONFIG": "False",
            # A busy two-core machine answers slowly: tasks wait for the api-server, not fail.
            "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "30",
            # Log servers on free ports: several serves (tests) on one machine must not collide.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ports["worker_log"]),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ports["trigger_log"]),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__OPENLINEAGE__DISABLED": "True",
            "PANTAU_WAREHOUSE_DSN": _admin_dsn(settings),
            "PANTAU_LANDING_DIR": str(config.landing_dir().resolve()),
            "PANTAU_OUTPUT_DIR": str(config.output_dir().resolve()),
            "PANTAU_HOME": str(config.STATE_DIR),
        }
    )
    if settings.executor == "CeleryExecutor":
        env.update(
            {
                "AIRFLOW__CELERY__BROKER_URL": settings.broker_url,
                "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": CELERY_CONFIG_OPTIONS,
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_url(settings),
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(max(1, settings.parallelism // 2)),
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": settings.celery_queue,
            }
        )
    if settings.least_privilege:
        # The administrator's DSN stays out of the components: each task logs in as its service.
        dsns = login_dsns(settings)
        for service, dsn in dsns.items():
            env[f"PANTAU_{service.upper()}_DSN"] = dsn
        env["PANTAU_WAREHOUSE_DSN"] = dsns["auditor"]
    if settings.fast:
        env.update(FAST_INTERVALS)
    env.update(settings.extra_env)
    return env


def _airflow(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("airflow")), *args]


def _ensure_metadata_database(settings: ServeSettings) -> None:
    """Airflow's metadata database, owned by the metadata login (created here, as the
    administrator). A database an earlier version created as the administrator is handed over,
    with everything in it, so `airflow db migrate` keeps working as the new owner."""
    admin = _admin_dsn(settings)
    owner, password = metadata_login(settings)
    name = sql.Identifier(settings.metadata_database)
    with psycopg.connect(config.with_database(admin, "postgres"), autocommit=True) as conn:
        if settings.least_privilege:
            if not conn.execute("select 1 from pg_roles where rolname = %s", (owner,)).fetchone():
                conn.execute(sql.SQL("create role {} login").format(sql.Identifier(owner)))
            conn.execute(
                sql.SQL("alter role {} password {}").format(sql.Identifier(owner), sql.Literal(password))
            )
        found = conn.execute(
            "select pg_get_userbyid(datdba) from pg_database where datname = %s",
            (settings.metadata_database,),
        ).fetchone()
        if not found:
            conn.execute(sql.SQL("create database {} owner {}").format(name, sql.Identifier(owner)))
            return
        if found[0] == owner:
            return
        conn.execute(sql.SQL("alter database {} owner to {}").format(name, sql.Identifier(owner)))
    with psycopg.connect(config.with_database(admin, settings.metadata_database), autocommit=True) as conn:
        conn.execute(sql.SQL(_HAND_OVER).format(owner=sql.Literal(owner)))


# `reassign owned` refuses the bootstrap superuser's objects, so Airflow's tables, views, enum
# types and free-standing sequences in `public` change owner one by one (a table's own sequences
# and indexes follow it).
_HAND_OVER = """
do $$
declare statement text;
begin
    for statement in
        select format('alter %s public.%I owner to %I',
            case c.relkind when 'v' then 'view' when 'm' then 'materialized view'
                when 'S' then 'sequence' else 'table' end, c.relname, {owner})
        from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S')
            and not exists (
                select 1 from pg_depend d
                where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))
        union all
        select format('alter type public.%I owner to %I', t.typname, {owner})
        from pg_type t
        where t.typnamespace = 'public'::regnamespace and t.typtype in ('e', 'd')
    loop
        execute statement;
    end loop;
end $$
"""


def drop_deployment(settings: ServeSettings) -> None:
    """Undo `initialise` on the server: Airflow's metadata database and every login it created,
    with their grants in the warehouse (tests, benchmarks, starting over). The warehouse stays."""
    admin = _admin_dsn(settings)
    logins = [f"{settings.login_prefix}_{service}" for service in SERVICE_LOGINS]
    with psycopg.connect(config.with_database(admin, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(
                sql.Identifier(settings.metadata_database)
            )
        )
        present = {
            r[0] for r in conn.execute("select rolname from pg_roles where rolname = any(%s)", (logins,))
        }
    with psycopg.connect(admin, autocommit=True) as conn:
        for login in logins:
            if login in present:  # their grants in the warehouse (they own nothing there)
                conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(login)))
    with psycopg.connect(config.with_database(admin, "postgres"), autocommit=True) as conn:
        for login in [*logins, _metadata_owner(settings)] if settings.least_privilege else logins:
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(login)))


@contextlib.contextmanager
def _logged_in_as(dsn: str):
    """This process works as `dsn`'s user for a while (dbt reads its login from the environment)."""
    saved = {k: os.environ.get(k) for k in _TOOL_ENV}
    os.environ["PANTAU_WAREHOUSE_DSN"] = dsn
    config.warehouse_dsn.cache_clear()
    config.export_tool_env()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        config.warehouse_dsn.cache_clear()


_TOOL_ENV = (
    "PANTAU_WAREHOUSE_DSN",
    "PANTAU_PG_HOST",
    "PANTAU_PG_PORT",
    "PANTAU_PG_USER",
    "PANTAU_PG_DBNAME",
    "DBT_ENV_SECRET_PANTAU_PG_PASSWORD",
)


def initialise_warehouse(admin_dsn: str, logins: dict[str, str] | None) -> None:
    """The warehouse as the administrator, then (with `logins`, service -> DSN) the service logins,
    dbt's manifest and reference seeds as the transformer, the briefing login's grants."""
    from pantau import runner, warehouse

    with _logged_in_as(admin_dsn):
        warehouse.bootstrap(admin_dsn)
    if not logins:
        with _logged_in_as(admin_dsn):
            runner.ensure_manifest()
            runner.ensure_reference_seeds()
        return
    ensure_logins(admin_dsn, logins)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        # dbt's tables belong to the transformer, whoever built them first (a demo run as the
        # administrator): its login must be able to rebuild them.
        roles.hand_dbt_schemas_to_transformer(conn)
    with _logged_in_as(logins["transformer"]):  # parsed and seeded as the login that runs dbt
        runner.ensure_manifest()
        runner.ensure_reference_seeds()
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        roles.grant_briefing_service(conn, config.dsn_parts(logins["reader"])["user"])


def initialise_deployment() -> None:
    """`python -m pantau.serve init` (docker-compose's airflow-init, after `airflow db migrate`):
    the warehouse as the administrator (PANTAU_WAREHOUSE_DSN), the service logins the deployment
    configures (PANTAU_LOADER_DSN, PANTAU_TRANSFORMER_DSN, PANTAU_READER_DSN, PANTAU_AUDITOR_DSN)
    and the pools."""
    logins = {
        s: os.environ[f"PANTAU_{s.upper()}_DSN"]
        for s in SERVICE_LOGINS
        if os.environ.get(f"PANTAU_{s.upper()}_DSN")
    }
    if logins and set(logins) != set(SERVICE_LOGINS):
        missing = ", ".join(f"PANTAU_{s.upper()}_DSN" for s in SERVICE_LOGINS if s not in logins)
        raise config.ConfigError(f"least privilege needs every service login; missing {missing}")
    initialise_warehouse(config.warehouse_dsn(), logins or None)
    create_pools({name: (slots, POOLS[name][2]) for name, slots in pool_slots().items()})


def initialise(settings: ServeSettings, env: dict[str, str]) -> None:
    """One-off set-up as the administrator: Airflow's metadata database and the UI login, then,
    in a child process, what a container deployment's init does (`python -m pantau.serve init`,
    initialise_deployment): warehouse, service logins, dbt manifest and reference seeds, pools.
    A child, not this process: dbt runs in-process there and leaves a multiprocessing resource
    tracker and its imports behind, which this long-lived supervisor must not keep. Idempotent."""
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    _ensure_metadata_database(settings)
    settings.password_file.write_text(json.dumps({UI_USER: ui_password(settings)}))
    settings.password_file.chmod(0o600)
    log = settings.home / "logs" / "init.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # The init works as the administrator; the service logins it creates are in env already.
    init_env = {**env, "PANTAU_WAREHOUSE_DSN": _admin_dsn(settings)}
    init = [sys.executable, "-m", "pantau.serve", "init"]
    with log.open("ab") as out:
        for command, command_env in ((_airflow("db", "migrate"), env), (init, init_env)):
            done = subprocess.run(command, env=command_env, stdout=out, stderr=subprocess.STDOUT)
            if done.returncode != 0:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                raise RuntimeError(f"`{' '.join(command[-3:])}` failed; see {log}:\n{tail}")


@dataclass
class Component:
    name: str
    process: subprocess.Popen
    log: Path


class Serve:
    """The running components. Use as a context manager: leaving it stops every process."""

    def __init__(self, settings: ServeSettings):
        self.settings = settings
        if settings.port == 0:
            settings.port = free_port()
        self.ports = {"worker_log": free_port(), "trigger_log": free_port()}
        self.env = airflow_env(settings, ports=self.ports)
        self.components: list[Component] = []

    def commands(self) -> list[tuple[str, list[str], dict[str, str]]]:
        host, port = "127.0.0.1", str(self.settings.port)
        commands = [
            ("api-server", _airflow("api-server", "--host", host, "--port", port, "--workers", "1"), {}),
            ("scheduler", _airflow("scheduler"), {}),
            ("dag-processor", _airflow("dag-processor"), {}),
            ("triggerer", _airflow("triggerer"), {}),
        ]
        if self.settings.executor == "CeleryExecutor":
            for number in range(1, self.settings.celery_workers + 1):
                name = f"worker-{number}"
                hostname = f"{name}-{self.settings.port}@%h"
                # Each worker serves its task logs on a port of its own.
                commands.append(
                    (
                        name,
                        _airflow(
                            "celery",
                            "worker",
                            "--celery-hostname",
                            hostname,
                            "--queues",
                            self.settings.celery_queue,
                            "--without-mingle",
                            "--without-gossip",
                        ),
                        {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())},
                    )
                )
        return commands

    def start(self, *, initialise_first: bool = True) -> Serve:
        if initialise_first:
            initialise(self.settings, self.env)
        logs = self.settings.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for name, command, extra in self.commands():
            log = logs / f"{name}.log"
            with log.open("ab") as out:
                process = subprocess.Popen(
                    command,
                    env={**self.env, **extra},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group: stopped with all its children
                )
            self.components.append(Component(name, process, log))
        return self

    def exited(self) -> list[Component]:
        return [c for c in self.components if c.process.poll() is not None]

    def health(self) -> dict:
        with urllib.request.urlopen(f"{self.settings.base_url}/api/v2/monitor/health", timeout=5) as r:
            return json.load(r)

    def wait_ready(self, timeout: float = 300) -> dict:
        """Until the api-server answers and reports scheduler, dag-processor and triggerer healthy."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            if dead := self.exited():
                raise RuntimeError(
                    "; ".join(f"{c.name} exited ({c.process.returncode}), see {c.log}" for c in dead)
                )
            try:
                last = self.health()
                if all(
                    (last.get(part) or {}).get("status") == "healthy"
                    for part in ("metadatabase", "scheduler", "triggerer", "dag_processor")
                ):
                    return last
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last = exc
            time.sleep(1)
        raise TimeoutError(f"Airflow did not become healthy within {timeout:.0f} s: {last}")

    def processes(self) -> set[tuple[int, int]]:
        """Every process the components started, with children in process groups of their own
        (Airflow's task supervisor gives each task one): (pid, start time) pairs."""
        return descendants([c.process.pid for c in self.components])

    def stop(self, grace: float = 10) -> None:
        """Stop everything: the executors first (the api-server serves their tasks until the end).

        SIGTERM to each component lets it wind down (the scheduler waits for running tasks);
        after `grace` seconds a second SIGTERM to its whole group ends the tasks too; whatever is
        left after that, in any process group, is killed.
        """
        seen = self.processes()
        api = [c for c in self.components if c.name == "api-server"]
        first = [c for c in self.components if c.name != "api-server"]
        for group in (first, api):
            for component in group:
                _signal(component.process.pid, signal.SIGTERM, whole_group=False)
            if not _wait(group, grace):
                seen |= self.processes()
                for component in group:
                    _signal(component.process.pid, signal.SIGTERM, whole_group=True)
                _wait(group, grace)
            seen |= self.processes()
        for component in self.components:
            _signal(component.process.pid, signal.SIGKILL, whole_group=True)
            with contextlib.suppress(subprocess.TimeoutExpired):
                component.process.wait(5)
        for pid, started in seen:
            if _start_time(pid) == started:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        self.components.clear()

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _signal(pid: int, signum: int, *, whole_group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if whole_group:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _wait(components: list[Component], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    for component in components:
        with contextlib.suppress(subprocess.TimeoutExpired):
            component.process.wait(max(0.1, deadline - time.monotonic()))
    return all(c.process.poll() is not None for c in components)


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks (tells a live process from a reused pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def still_running(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of the (pid, start time) pairs that are still alive (not a reused pid)."""
    return {(pid, started) for pid, started in processes if _start_time(pid) == started}


def descendants(roots: list[int]) -> set[tuple[int, int]]:
    """The roots and all their live descendants, as (pid, start time), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[tuple[int, int]] = set()
    todo = list(roots)
    while todo:
        pid = todo.pop()
        started = _start_time(pid)
        if started is None or (pid, started) in found:
            continue
        found.add((pid, started))
        todo.extend(children.get(pid, []))
    return found


def serve(settings: ServeSettings, *, on_ready=None) -> int:
    """Initialise, start every component, wait for Ctrl-C or SIGTERM, stop them all."""
    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = Serve(settings)
    try:
        print(f"pantau serve: initialising (metadata database {settings.metadata_database}) ...", flush=True)
        initialise(settings, server.env)
        if stopping:
            return 130
        server.start(initialise_first=False)
        print("pantau serve: starting " + ", ".join(c.name for c in server.components), flush=True)
        while not stopping:
            try:
                server.wait_ready(timeout=2)
                break
            except TimeoutError:
                continue
        if stopping:
            return 130
        if on_ready is not None:
            on_ready(server)
        while not stopping:
            if dead := server.exited():
                for component in dead:
                    print(f"pantau serve: {component.name} exited, see {component.log}", file=sys.stderr)
                return 1
            time.sleep(1)
        return 0
    finally:
        print("pantau serve: stopping ...", flush=True)
        server.stop()
        print("pantau serve: stopped", flush=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class AirflowClient:
    """Airflow's REST API (v2) with the UI login's JWT token (POST /auth/token)."""

    def __init__(self, base_url: str, password: str, user: str = UI_USER):
        self.base_url = base_url.rstrip("/")
        self._credentials = {"username": user, "password": password}
        self._token: str | None = None

    def _request(self, method: str, path: str, body: dict | None = None, *, auth: bool = True):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            if self._token is None:
                self._token = self._request("POST", "/auth/token", self._credentials, auth=False)[
                    "access_token"
                ]
            headers["Authorization"] = f"Bearer {self._token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def get(self, path: str):
        return self._request("GET", path)

    def post(self, path: str, body: dict):
        return self._request("POST", path, body)

    def dag_runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns?limit=100&order_by=-run_after")["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=1000")["task_instances"]

    def trigger(self, dag_id: str, conf: dict) -> dict:
        return self.post(f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})


if __name__ == "__main__":
    if sys.argv[1:] != ["init"]:
        sys.exit("usage: python -m pantau.serve init   (initialise a deployment; see initialise_deployment)")
    initialise_deployment()
