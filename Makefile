# Pantau: `make demo` and `make test` are all a newcomer needs (see README.md).
# Both create .venv from the lock file (uv.lock) with a pinned uv; nothing is installed by hand.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV_HOME := .pantau/uv
UV := $(UV_HOME)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export PANTAU_HOME ?= $(abspath .pantau)

# Debian packages: HarfBuzz subsetting (WeasyPrint embeds font subsets with it; without it every
# render warns), poppler-utils (pdftoppm renders pages in the layout tests), chromium (the
# browser tests drive it with Playwright; Playwright's own browser download is never used), and
# openssh-server and dovecot-imapd: the real SFTP and IMAP servers the source tests start on free
# ports (tests/sources/servers.py); no service is enabled, the tests run their own.
DEBIAN_PACKAGES := libharfbuzz-subset0 poppler-utils chromium openssh-server dovecot-imapd
# The Data Docs' scripts, styles and fonts, pinned in package-lock.json (offline audit trail).
DOCS_ASSETS := report_templates/data_docs
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages demo test lint sqllint sqlfix format bench clean

setup: system-packages $(VENV)/.installed $(DOCS_ASSETS)/node_modules/.installed

system-packages:
	@dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES); }

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(DOCS_ASSETS)/node_modules/.installed: $(DOCS_ASSETS)/package.json $(DOCS_ASSETS)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }
	npm ci --prefix $(DOCS_ASSETS) --silent
	touch $@

# --compile-bytecode: every process (the test workers, each Airflow component, dbt, sqlfluff, the
# briefing pool's workers) imports from this venv. Without .pyc files each compiles what it imports
# from source, every time where PYTHONDONTWRITEBYTECODE is set (as on the CI machines): importing
# the tasks' libraries took 16 s of CPU so, 7 s from the compiled venv (bench/RESULTS.md). The
# Makefile is a prerequisite so that a checkout's existing venv gets what this rule now does.
$(VENV)/.installed: $(UV) pyproject.toml uv.lock Makefile
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

demo: setup
	$(BIN)/pantau demo

# The suite runs on every core (pytest-xdist). Tests sharing an expensive fixture (a module's
# dbt-built warehouse or GX project, an xdist_group) stay on one worker; the other tests go to
# whichever worker is free; the slow groups are handed out first, in collection order
# (tests/conftest.py), so that short tests fill every worker at the end. Two workers per core:
# much of the suite waits on servers (Airflow's components polling, a meeting due in a minute),
# and a worker that waits leaves its core to another (2 cores: 14 min 19 s with 2 workers,
# 12 min 32 s with 3, 11 min 40 s with 4; bench/RESULTS.md). At most 8: beyond that the longest
# group (the e2e pipeline, about 5 minutes) sets the time, and each worker holds its own imports.
PYTEST_WORKERS ?= $(shell n=$$(( 2 * $$(nproc) )); echo $$(( n < 8 ? n : 8 )))
# The SQL style check (sqllint) runs inside the suite: tests/test_sql_style.py.
test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=30

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory sqllint

# SQL style of the dbt project (dbt_project/.sqlfluff, dbt templater). Compiling a model runs its
# pre-hooks, and require_pii_key() asks PostgreSQL for the session's key: lint connects to the
# local server's always-present `postgres` database with a throwaway key (nothing is built).
# SQLFLUFF_PROCESSES: 1 inside the suite, whose workers already use both cores (each sqlfluff
# process compiles the dbt project again: 42 s of CPU with 2, 32 s with 1).
SQLFLUFF_PROCESSES ?= 2
sqllint: setup
	cd dbt_project && DBT_SEND_ANONYMOUS_USAGE_STATS=false PANTAU_PG_DBNAME=postgres \
		PGOPTIONS="-c pantau.pii_key=sqlfluff-lint-only-not-a-secret" \
		../$(BIN)/sqlfluff lint models macros snapshots tests --processes $(SQLFLUFF_PROCESSES)

# What sqllint reports and sqlfluff can fix itself (layout, order directions...), fixed in place.
sqlfix: setup
	cd dbt_project && DBT_SEND_ANONYMOUS_USAGE_STATS=false PANTAU_PG_DBNAME=postgres \
		PGOPTIONS="-c pantau.pii_key=sqlfluff-lint-only-not-a-secret" \
		../$(BIN)/sqlfluff fix models macros snapshots tests --processes 2

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .pantau dbt_project/target dbt_project/logs $(DOCS_ASSETS)/node_modules
