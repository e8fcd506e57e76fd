"""`pantau serve` settings that need no running Airflow: pool sizes from configuration, the
environment every component gets, and which login each service uses."""

from __future__ import annotations

import os

import pytest

from pantau import config, serve


def test_pool_sizes_fit_two_cores_and_come_from_configuration(monkeypatch):
    for variable, _, _ in serve.POOLS.values():
        monkeypatch.delenv(variable, raising=False)
    assert serve.pool_slots() == {"pantau_gate1": 2, "pantau_dbt": 1, "pantau_render": 1}
    monkeypatch.setenv("PANTAU_POOL_GATE1_SLOTS", "6")
    assert serve.pool_slots()["pantau_gate1"] == 6
    monkeypatch.setenv("PANTAU_POOL_DBT_SLOTS", "0")
    with pytest.raises(config.ConfigError, match="PANTAU_POOL_DBT_SLOTS"):
        serve.pool_slots()
    monkeypatch.setenv("PANTAU_POOL_DBT_SLOTS", "two")
    with pytest.raises(config.ConfigError, match="whole number"):
        serve.pool_slots()


def test_components_share_secrets_and_logins_replace_the_administrator(tmp_path, monkeypatch):
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=pantau_x"
    settings = serve.ServeSettings(home=tmp_path, port=8123, warehouse_dsn=admin, least_privilege=True)
    env = serve.airflow_env(settings, ports={"worker_log": 1, "trigger_log": 2})
    again = serve.airflow_env(settings, ports={"worker_log": 1, "trigger_log": 2})
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == again["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg://postgres@")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith(f"/{serve.METADATA_DATABASE}")
    # No component sees the administrator's login: each service has its own.
    assert "user=postgres" not in env["PANTAU_WAREHOUSE_DSN"]
    users = {
        service: config.dsn_parts(env[f"PANTAU_{service.upper()}_DSN"])["user"]
        for service in serve.SERVICE_LOGINS
    }
    assert users == {s: f"pantau_svc_{s}" for s in serve.SERVICE_LOGINS}
    assert all(config.dsn_parts(env[f"PANTAU_{s.upper()}_DSN"])["dbname"] == "pantau_x" for s in users)


def test_use_login_switches_this_process_to_the_service_login(monkeypatch):
    saved = dict(os.environ)
    monkeypatch.setenv("PANTAU_WAREHOUSE_DSN", "host=127.0.0.1 user=postgres dbname=w")
    monkeypatch.setenv("PANTAU_LOADER_DSN", "host=127.0.0.1 user=svc_loader dbname=w")
    monkeypatch.delenv("PANTAU_READER_DSN", raising=False)
    config.warehouse_dsn.cache_clear()
    try:
        config.use_login("reader")  # no reader login configured: unchanged
        assert config.dsn_parts()["user"] == "postgres"
        config.use_login("loader")
        assert config.dsn_parts()["user"] == "svc_loader"
        assert os.environ["PANTAU_PG_USER"] == "svc_loader"  # dbt's profile follows
        with pytest.raises(ValueError, match="unknown service"):
            config.use_login("root")
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.warehouse_dsn.cache_clear()
