#!/usr/bin/env bash
# Two databases on one server: Airflow's metadata and the Pantau warehouse are kept apart.
# Airflow owns its metadata database through a login of its own (not the superuser); the
# warehouse's service logins are created by airflow-init (python -m pantau.serve init).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
  -v airflow_password="${AIRFLOW_DB_PASSWORD:?set AIRFLOW_DB_PASSWORD in .env}" <<'SQL'
create role airflow login password :'airflow_password';
create database airflow owner airflow;
create database pantau;
SQL
