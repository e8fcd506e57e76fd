"""`pantau serve` settings that need no running Airflow: pool sizes from configuration, the
environment every component gets, and which login each service uses."""

from __future__ import annotations

import os

import psycopg
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
    # Airflow's own metadata: a login of its own, not the administrator.
    metadata = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert metadata.startswith("postgresql+psycopg://pantau_svc_airflow:") and "postgres@" not in metadata
    assert metadata.endswith(f"/{serve.METADATA_DATABASE}")
    assert settings.password_file.parent.parent == tmp_path  # secrets in the serve home, not the repo
    trusting = serve.ServeSettings(home=tmp_path, warehouse_dsn=admin, least_privilege=False)
    assert serve.metadata_url(trusting).startswith("postgresql+psycopg://postgres@")
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


def test_metadata_database_is_owned_by_its_login_and_an_old_one_is_handed_over(tmp_path, make_database):
    """A metadata database that an earlier version created as the administrator (tables with
    serial keys, a view, an enum type, a free-standing sequence) is handed to the metadata login,
    which can then migrate it without any administrator right; drop_deployment removes it all."""
    admin = make_database(bootstrap=False)
    suffix = config.dsn_parts(admin)["dbname"][-8:]
    settings = serve.ServeSettings(
        home=tmp_path, warehouse_dsn=admin, metadata_database=f"h_meta_{suffix}", login_prefix=f"h_{suffix}"
    )
    login, _ = serve.metadata_login(settings)
    metadata = config.with_database(admin, settings.metadata_database)
    with psycopg.connect(config.with_database(admin, "postgres"), autocommit=True) as conn:
        conn.execute(f'create database "{settings.metadata_database}"')
    try:
        with psycopg.connect(metadata, autocommit=True) as conn:
            conn.execute(
                "create type state as enum ('queued', 'running');"
                "create table dag_run (id serial primary key, state state);"
                "create view running as select id from dag_run where state = 'running';"
                "create sequence job_seq;"
            )
        serve._ensure_metadata_database(settings)
        serve._ensure_metadata_database(settings)  # idempotent
        with psycopg.connect(metadata, autocommit=True) as conn:
            owners = conn.execute(
                "select pg_get_userbyid(datdba) from pg_database where datname = current_database() "
                "union all select pg_get_userbyid(relowner) from pg_class "
                "where relnamespace = 'public'::regnamespace "
                "union all select pg_get_userbyid(typowner) from pg_type where typname = 'state'"
            ).fetchall()
            assert {o for (o,) in owners} == {login}, owners
            rights = conn.execute(
                "select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = %s", (login,)
            ).fetchone()
            assert rights == (False, False, False)
        # As the login alone: what `airflow db migrate` does to an existing schema.
        with psycopg.connect(config.with_database(metadata, settings.metadata_database), user=login) as conn:
            conn.execute("alter table dag_run add column note text")
            conn.execute("alter type state add value 'success'")
            conn.execute("create table job (id bigint default nextval('job_seq'))")
            conn.execute("insert into dag_run (state) values ('queued')")
    finally:
        serve.drop_deployment(settings)
    with psycopg.connect(config.with_database(admin, "postgres")) as conn:
        assert conn.execute(
            "select count(*) from pg_database where datname = %s", (settings.metadata_database,)
        ).fetchone() == (0,)
        assert conn.execute(
            "select count(*) from pg_roles where rolname like %s", (f"h_{suffix}%",)
        ).fetchone() == (0,)
