"""docker-compose.yml cannot run here (no Docker engine): check its structure instead, and that it
deploys the same DAGs, dbt project, expectations and settings the local path uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pantau import config, serve

ROOT = config.PROJECT_ROOT
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
AIRFLOW_SERVICES = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"]


def service(name: str) -> dict:
    return COMPOSE["services"][name]


def test_services_with_healthchecks():
    services = COMPOSE["services"]
    for name in ["postgres", "airflow-init", *AIRFLOW_SERVICES]:
        assert name in services, name
    for name in ["postgres", *AIRFLOW_SERVICES, "redis", "airflow-worker"]:
        assert "healthcheck" in services[name], name
    assert service("airflow-init")["restart"] == "no"
    for name in AIRFLOW_SERVICES:
        assert service(name)["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert service(name)["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_local_executor_by_default_and_celery_behind_a_profile():
    env = service("airflow-scheduler")["environment"]
    # The executors `pantau serve` runs: Airflow's, started with the tasks' imports preloaded.
    assert env["AIRFLOW__CORE__EXECUTOR"] == f"${{AIRFLOW_EXECUTOR:-{serve.EXECUTOR_PATHS['LocalExecutor']}}}"
    assert service("redis")["profiles"] == ["celery"]
    worker = service("airflow-worker")["environment"]
    assert service("airflow-worker")["profiles"] == ["celery"]
    assert worker["AIRFLOW__CORE__EXECUTOR"] == serve.EXECUTOR_PATHS["CeleryExecutor"]
    assert worker["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"] == serve.CELERY_CONFIG_OPTIONS


def test_metadata_and_warehouse_are_separate_databases():
    env = service("airflow-scheduler")["environment"]
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres:5432/airflow")
    assert "dbname=pantau" in env["PANTAU_WAREHOUSE_DSN"]
    # Tasks and dbt use the Airflow connection named by PANTAU_WAREHOUSE_CONN_ID, same database.
    conn_id = env["PANTAU_WAREHOUSE_CONN_ID"]
    assert env[f"AIRFLOW_CONN_{conn_id.upper()}"].startswith("postgres://")
    assert env[f"AIRFLOW_CONN_{conn_id.upper()}"].endswith("@postgres:5432/pantau")
    init_sql = (ROOT / "docker" / "postgres-init.sh").read_text()
    assert "create database airflow" in init_sql and "create database pantau" in init_sql


def test_same_dags_dbt_project_and_expectations_as_the_local_path():
    mounts = {
        m.split(":")[0]: m.split(":")[1]
        for m in service("airflow-scheduler")["volumes"]
        if m.startswith("./")
    }
    for local in (
        config.DAGS_DIR,
        config.DBT_PROJECT_DIR,
        config.EXPECTATIONS_DIR,
        config.REPORT_TEMPLATES_DIR,
    ):
        relative = f"./{local.relative_to(ROOT)}"
        assert relative in mounts, relative
        assert mounts[relative] == f"/opt/pantau/{local.relative_to(ROOT)}"
    env = service("airflow-scheduler")["environment"]
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == mounts["./dags"]
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "uv.lock" in dockerfile and "--frozen" in dockerfile
    assert re.search(r"FROM apache/airflow:3\.3\.\d", dockerfile)


def test_pantau_settings_are_the_documented_environment_and_secrets_come_from_env():
    env = service("airflow-scheduler")["environment"]
    for name in ("PANTAU_WAREHOUSE_DSN", "PANTAU_LANDING_DIR", "PANTAU_OUTPUT_DIR", "PANTAU_PII_KEY"):
        assert name in env, name
    assert env["PANTAU_PII_KEY"].startswith("${PANTAU_PII_KEY")
    assert service("postgres")["environment"]["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD}"
    example = (ROOT / ".env.example").read_text()
    for name in ("POSTGRES_PASSWORD", "PANTAU_PII_KEY"):
        assert re.search(rf"^{name}=", example, re.M), name
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text().split()
    readme = (ROOT / "README.md").read_text()
    for name in env:
        if name.startswith("PANTAU_") and name != "PANTAU_HOME":
            assert name in readme, f"{name} is not documented in README.md"


def test_no_secret_literals_in_compose():
    text = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"(PASSWORD|KEY)\s*[:=]\s*['\"]?[A-Za-z0-9]{8,}", text)
    assert Path(ROOT / "docker" / "Dockerfile").exists()


SERVICE_DSNS = {
    "PANTAU_LOADER_DSN": "pantau_svc_loader",
    "PANTAU_TRANSFORMER_DSN": "pantau_svc_transformer",
    "PANTAU_READER_DSN": "pantau_svc_reader",
    "PANTAU_AUDITOR_DSN": "pantau_svc_auditor",
}


def test_only_the_init_service_uses_the_superuser():
    """Least privilege: airflow-init alone logs in as POSTGRES_USER; Airflow's metadata has its own
    login; each service's warehouse login is its own, with its password from .env."""
    for name, spec in COMPOSE["services"].items():
        env = spec.get("environment") or {}
        superuser = [k for k, v in env.items() if "${POSTGRES_USER}" in str(v)]
        if name in ("airflow-init", "postgres"):
            continue
        assert not superuser, f"{name} uses the superuser in {superuser}"
    scheduler = service("airflow-scheduler")["environment"]
    assert (
        "//airflow:${AIRFLOW_DB_PASSWORD}@postgres:5432/airflow"
        in scheduler["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    )
    for variable, user in SERVICE_DSNS.items():
        dsn = config.dsn_parts(scheduler[variable])
        assert dsn["user"] == user and dsn["dbname"] == "pantau", variable
        assert dsn["password"].startswith("${PANTAU_"), variable
    assert config.dsn_parts(scheduler["PANTAU_WAREHOUSE_DSN"])["user"] == "pantau_svc_auditor"
    init = service("airflow-init")
    assert "${POSTGRES_USER}" in init["environment"]["PANTAU_WAREHOUSE_DSN"]
    assert "python -m pantau.serve init" in init["command"]
    assert "create database airflow owner airflow" in (ROOT / "docker" / "postgres-init.sh").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in (
        "AIRFLOW_DB_PASSWORD",
        "AIRFLOW_JWT_SECRET",
        *(f"PANTAU_{s}_PASSWORD" for s in ("LOADER", "TRANSFORMER", "READER", "AUDITOR")),
    ):
        assert re.search(rf"^{name}=", example, re.M), name


def test_components_share_one_jwt_secret_and_pools_are_configurable():
    env = service("airflow-scheduler")["environment"]
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW_JWT_SECRET")
    from pantau import serve

    for variable, default, _ in serve.POOLS.values():
        assert env[variable] == f"${{{variable}:-{default}}}"
