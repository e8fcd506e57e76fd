#!/usr/bin/env bash
# Two databases on one server: Airflow's metadata and the Pantau warehouse are kept apart.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
create database airflow;
create database pantau;
SQL
