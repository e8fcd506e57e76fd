"""The GX project behind the gates: a file-backed context under `<state>/gx`.

The chain follows the GX 1.x docs: data source -> asset -> batch definition -> validation
definition -> checkpoint with actions. Everything is (re)declared from code and the YAML suites
on each run, so the files under `<state>/gx` are a cache that can be deleted at any time; only
the validation results kept there make Data Docs accumulate across runs.

Secrets: the data source's connection string is the literal `${PANTAU_GX_WAREHOUSE_URL}`,
resolved by GX from the environment at run time (set here from PANTAU_WAREHOUSE_DSN, converted
to the SQLAlchemy URL form GX needs). No file GX writes ever holds the DSN or a password.

great_expectations is imported only inside these functions (it takes seconds to import).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pantau import config
from pantau.quality.suites import SuiteSpec

if TYPE_CHECKING:
    from great_expectations.data_context import FileDataContext

DATASOURCE_NAME = "pantau_warehouse"
URL_ENV = "PANTAU_GX_WAREHOUSE_URL"
CONNECTION_STRING = "${" + URL_ENV + "}"
DOCS_SITE_NAME = "pantau_data_docs"
BATCH_DEFINITION_NAME = "by_batch_id"
WHOLE_TABLE_DEFINITION_NAME = "whole_table"
BATCH_COLUMN = "_batch_id"

# Counts only: asking GX for sample values costs one more scan per expectation even when nothing
# fails. Pantau fetches a few sample rows itself, only for failed checks (pantau.quality.samples).
RESULT_FORMAT: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": 0}

_SEVERITY_TO_GX = {"blocking": "critical", "warning": "warning"}


def gx_root() -> Path:
    """Where the GX project lives (read at call time so tests can point it elsewhere)."""
    return Path(config.STATE_DIR) / "gx"


def data_docs_dir() -> Path:
    return config.output_dir() / "data_docs"


def sqlalchemy_url(dsn: str) -> str:
    """PANTAU_WAREHOUSE_DSN (libpq key=value or URI) as the SQLAlchemy URL GX's engine needs."""
    from sqlalchemy.engine import URL

    parts = config.dsn_parts(dsn)
    # Session settings for the validation queries: JIT compilation costs more than it saves on
    # these one-off scans, and key checks hash a whole batch (1M keys fit in 128 MB, no spill).
    query: dict[str, str] = {"options": "-c jit=off -c work_mem=128MB", "application_name": "pantau-gx"}
    host: str | None = parts["host"]
    if host and host.startswith("/"):  # unix socket directory (embedded server)
        query["host"] = host
        host = None
    url = URL.create(
        "postgresql+psycopg2",
        username=parts["user"] or None,
        password=parts["password"] or None,
        host=host,
        port=int(parts["port"]) if parts["port"] else None,
        database=parts["dbname"],
        query=query,
    )
    return url.render_as_string(hide_password=False)


def _quiet_gx_environment() -> None:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # GX logs INFO lines of its own bookkeeping, several per expectation on every validation
    # ("_get_default_value called with key ..."): thousands per task log, and formatting them
    # through Airflow's handlers took about 8 % of gate 1's CPU. Its warnings and errors stay.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


@contextmanager
def project_lock() -> Iterator[None]:
    """One gate at a time per project directory: GX's config files are not safe for concurrent writers."""
    root = gx_root()
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".pantau.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# One context per (project, docs site, warehouse) in a process: loading one costs about a second,
# and a task that validates several files should pay that once.
_contexts: dict[tuple[str, str, str], FileDataContext] = {}
_checkpoints: dict[tuple[int, str, str], Any] = {}


def get_context(dsn: str | None = None, *, connect: bool = True) -> FileDataContext:
    """The file-backed context, with the warehouse URL exported for `${PANTAU_GX_WAREHOUSE_URL}`.

    `connect=False` (Data Docs only) leaves the URL alone: rendering needs no database.
    """
    _quiet_gx_environment()
    url = ""
    if connect:
        url = sqlalchemy_url(dsn or config.warehouse_dsn())
        os.environ[URL_ENV] = url
    root = gx_root()
    key = (str(root), str(data_docs_dir()), url)
    cached = _contexts.get(key)
    if cached is not None and (root / "great_expectations.yml").exists():
        return cached

    import great_expectations as gx

    # Registers Pantau's expectation classes and data source type before GX reads stored ones.
    from pantau.quality import gx_datasource, gx_expectations  # noqa: F401

    root.parent.mkdir(parents=True, exist_ok=True)
    with _schema_name_is_fine():
        context = gx.get_context(mode="file", project_root_dir=str(root.parent))
    _ensure_quiet_config(context)
    _ensure_docs_site(context)
    _drop_config_variables_file(root)
    _contexts.clear()  # GX keeps one current context per process; do not mix projects
    _checkpoints.clear()
    _contexts[key] = context
    return context


def reset_caches() -> None:
    """Forget contexts and checkpoints held by this process (tests switch projects)."""
    _contexts.clear()
    _checkpoints.clear()


def _drop_config_variables_file(root: Path) -> None:
    """GX scaffolds uncommitted/config_variables.yml and re-reads it on every substitution.

    Pantau keeps no variables there (secrets come from the environment), and without the file
    GX skips dozens of YAML parses per validation. The scaffold holds only the `instance_id` GX
    generates for its analytics (off here); without the file GX keeps one in memory.
    """
    import yaml

    path = root / "uncommitted" / "config_variables.yml"
    if not path.exists():
        return
    variables = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not set(variables) - {"instance_id"}:
        path.unlink()


def _ensure_quiet_config(context: FileDataContext) -> None:
    """No analytics, no progress bars in task logs (written once into great_expectations.yml)."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    bars = context.variables.progress_bars
    globally = bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)
    if globally is False and context.variables.analytics_enabled is False:
        return
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.variables.analytics_enabled = False
    context.variables.save()


def _ensure_docs_site(context: FileDataContext) -> None:
    """The one Data Docs site, under PANTAU_OUTPUT_DIR/data_docs: self-contained and browsable
    offline, its pages rendered by views that load nothing from outside the site (offline_docs)."""
    from pantau.quality import offline_docs

    page = {"view": offline_docs.PAGE_VIEW}
    site_config = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(data_docs_dir()),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "view": offline_docs.INDEX_VIEW},
        "site_section_builders": {"expectations": page, "validations": page, "profiling": page},
    }
    sites = context.variables.data_docs_sites or {}
    if sites.get(DOCS_SITE_NAME) == site_config and list(sites) == [DOCS_SITE_NAME]:
        return
    for name in list(sites):
        if name != DOCS_SITE_NAME:
            context.delete_data_docs_site(name)
    if DOCS_SITE_NAME in (context.variables.data_docs_sites or {}):
        context.update_data_docs_site(DOCS_SITE_NAME, site_config)
    else:
        context.add_data_docs_site(DOCS_SITE_NAME, site_config)


@contextmanager
def _schema_name_is_fine() -> Iterator[None]:
    """GX 1.x deprecates a table asset's schema_name in favour of a per-schema connection; one
    warehouse connection serving the raw and marts schemas is what Pantau wants, so keep it quiet."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*schema_name.*deprecated", category=DeprecationWarning)
        yield


def _datasource(context: FileDataContext):
    """GX's PostgreSQL data source with raw batches found by an index probe (gx_datasource)."""
    from pantau.quality import gx_datasource

    try:
        datasource = context.data_sources.get(DATASOURCE_NAME)
    except (KeyError, ValueError):
        datasource = None
    if datasource is not None and datasource.type != gx_datasource.TYPE:  # declared by an older Pantau
        context.data_sources.delete(DATASOURCE_NAME)
        datasource = None
    if datasource is None or str(getattr(datasource, "connection_string", "")) != CONNECTION_STRING:
        datasource = context.data_sources.add_or_update_pantau_postgres(
            name=DATASOURCE_NAME, connection_string=CONNECTION_STRING
        )
    return datasource


def _batch_definition(context: FileDataContext, schema: str, table: str, *, by_batch: bool):
    from great_expectations.core.partitioners import PartitionerColumnValue

    datasource = _datasource(context)
    asset_name = f"{schema}.{table}"
    try:
        asset = datasource.get_asset(asset_name)
    except LookupError:
        with _schema_name_is_fine():
            asset = datasource.add_table_asset(name=asset_name, schema_name=schema, table_name=table)
    if not by_batch:  # a published mart is validated whole
        try:
            return asset.get_batch_definition(WHOLE_TABLE_DEFINITION_NAME)
        except (KeyError, LookupError, ValueError):
            return asset.add_batch_definition_whole_table(WHOLE_TABLE_DEFINITION_NAME)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION_NAME)
    except (KeyError, LookupError, ValueError):
        # GX's check only knows date partitioners (it reads a sample value to see a date); a
        # column-value partitioner on the text `_batch_id` is exactly one load's rows.
        return asset.add_batch_definition(
            name=BATCH_DEFINITION_NAME,
            partitioner=PartitionerColumnValue(column_name=BATCH_COLUMN),
            validate_partitioner=False,
        )


def build_suite(spec: SuiteSpec):
    """The GX ExpectationSuite for a YAML suite; Pantau's severity and description travel in meta."""
    from great_expectations import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    from pantau.quality import gx_expectations

    # Custom-SQL checks run their query once (count only); regexes marked distinct_values share
    # one grouped query: see pantau.quality.gx_expectations.
    types = {gx_expectations.PUBLIC_TYPE: gx_expectations.TYPE}
    grouped = [entry for entry in spec.expectations if entry.distinct_values]
    value_checks = json.dumps([[entry.kwargs["column"], entry.kwargs["regex"]] for entry in grouped])
    expectations = [
        ExpectationConfiguration(
            type=gx_expectations.DISTINCT_REGEX_TYPE
            if entry.distinct_values
            else types.get(entry.type, entry.type),
            kwargs={**entry.kwargs, "value_checks": value_checks} if entry.distinct_values else entry.kwargs,
            meta={"pantau_severity": entry.severity, "pantau_index": index},
            description=entry.description,
            severity=_SEVERITY_TO_GX[entry.severity],
        ).to_domain_obj()
        for index, entry in enumerate(spec.expectations)
    ]
    return ExpectationSuite(name=spec.name, expectations=expectations, meta={"source": str(spec.path.name)})


# Bump when the way suites become GX objects changes, so stored ones are re-declared.
_DECLARATION_VERSION = "4"


def fingerprint(
    spec: SuiteSpec, *, schema: str, table: str, pii_columns: list[str], by_batch: bool = True
) -> str:
    """What the declared GX objects depend on: the suite file, the table, masking, result format."""
    payload = json.dumps(
        {
            "version": _DECLARATION_VERSION,
            "suite": spec.path.read_text(encoding="utf-8"),
            # fragments expanded into the queries (sql_checks, passport_patterns.csv) may change alone
            "expectations": [dataclasses.asdict(e) for e in spec.expectations],
            "table": f"{schema}.{table}",
            "by_batch": by_batch,
            "pii": sorted(pii_columns),
            "result_format": RESULT_FORMAT,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def checkpoint_for(
    context: FileDataContext,
    spec: SuiteSpec,
    *,
    schema: str,
    table: str,
    pii_columns: list[str],
    by_batch: bool = True,
):
    """The checkpoint for one table, declared (again) only when its suite file or settings changed.

    `by_batch`: validate one load (`_batch_id` given at run time, raw tables) or the whole table.
    """
    stamp = fingerprint(spec, schema=schema, table=table, pii_columns=pii_columns, by_batch=by_batch)
    cache_key = (id(context), spec.name, stamp)
    if cache_key in _checkpoints:
        return _checkpoints[cache_key]
    checkpoint = _stored_checkpoint(context, spec.name, stamp)
    if checkpoint is None:
        checkpoint = _declare(
            context, spec, schema=schema, table=table, pii_columns=pii_columns, by_batch=by_batch, stamp=stamp
        )
    _checkpoints[cache_key] = checkpoint
    return checkpoint


def checkpoint_name(suite_name: str) -> str:
    return f"gate__{suite_name}"


def _stored_checkpoint(context: FileDataContext, suite_name: str, stamp: str):
    try:
        checkpoint = context.checkpoints.get(checkpoint_name(suite_name))
        suite = checkpoint.validation_definitions[0].suite
    except Exception:  # not declared yet, or declared by an older GX: declare again
        return None
    return checkpoint if (suite.meta or {}).get("pantau_fingerprint") == stamp else None


def _declare(
    context: FileDataContext,
    spec: SuiteSpec,
    *,
    schema: str,
    table: str,
    pii_columns: list[str],
    by_batch: bool,
    stamp: str,
):
    import great_expectations as gx

    from pantau.quality.gx_actions import MaskedDataDocsAction

    batch_definition = _batch_definition(context, schema, table, by_batch=by_batch)
    suite = build_suite(spec)
    suite.meta["pantau_fingerprint"] = stamp
    suite = context.suites.add_or_update(suite)
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=spec.name, data=batch_definition, suite=suite)
    )
    checkpoint = gx.Checkpoint(
        name=checkpoint_name(spec.name),
        validation_definitions=[validation],
        actions=[MaskedDataDocsAction(name="mask_pii_and_update_data_docs", pii_columns=pii_columns)],
        result_format=RESULT_FORMAT,
    )
    return context.checkpoints.add_or_update(checkpoint)


def run_checkpoint(checkpoint, *, batch_parameters: dict[str, Any] | None, run_id):
    """What `checkpoint.run()` does (validate, then run the actions), without the freshness
    checks and with no unmasked copy of a result ever written.

    - `Checkpoint.run` first re-reads the stored checkpoint and compares it, validation
      definitions and all, with the one in hand; `ValidationDefinition.run` does the same for its
      suite and data. A store read and a pydantic comparison each, per validation (bench/RESULTS.md).
      The checkpoint in hand was read from the store or declared in this process, under the
      project lock, for the suite file's current fingerprint (`checkpoint_for`): the comparisons
      cannot find a difference.
    - `ValidationDefinition.run` stores the result before any action runs, unmasked; the masking
      action then stored it again, masked. Here the result is validated (`_validate`) and only the
      masking action stores it: one write, masked.
    """
    from great_expectations.checkpoint.actions import UpdateDataDocsAction
    from great_expectations.checkpoint.checkpoint import CheckpointResult
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    run_results = {}
    for validation in checkpoint.validation_definitions:
        result = _validate(
            validation,
            checkpoint_id=checkpoint.id,
            batch_parameters=batch_parameters,
            result_format=checkpoint.result_format,
            run_id=run_id,
        )
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=validation.suite.name),
            run_id=run_id,
            batch_identifier=result.batch_id,
        )
        run_results[key] = result
    checkpoint_result = CheckpointResult(run_id=run_id, run_results=run_results, checkpoint_config=checkpoint)
    # As GX orders them: Data Docs actions (Pantau's masking one) before any other.
    for action in sorted(checkpoint.actions, key=lambda a: not isinstance(a, UpdateDataDocsAction)):
        action.run(checkpoint_result=checkpoint_result)
    return checkpoint_result


def _validate(
    validation, *, checkpoint_id: str | None, batch_parameters: dict[str, Any] | None, result_format, run_id
):
    """`ValidationDefinition.run` (GX 1.x) up to its result, with the same metadata: neither its
    freshness check nor its write to the results store (see run_checkpoint)."""
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(
        batch_definition=validation.batch_definition,
        batch_parameters=batch_parameters,
        result_format=result_format,
    )
    result = validator.validate_expectation_suite(validation.suite)
    result.meta["validation_id"] = validation.id
    result.meta["checkpoint_id"] = checkpoint_id
    result.meta["run_id"] = run_id
    result.meta["validation_time"] = run_id.run_time
    result.meta["batch_parameters"] = dict(batch_parameters) if batch_parameters else None
    return result
