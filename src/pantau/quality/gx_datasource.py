"""Pantau's GX data source: PostgreSQL, with a raw batch found by an index probe, not a scan.

GX finds a column-value batch (`_batch_id = X`) by listing every distinct value of the column
(`select distinct _batch_id from raw.<feed>`) and keeping the requested one: a scan of the feed's
whole history on every validation, growing with each file loaded. The batch is named in full at
run time, so asking whether one row carries it (`... where _batch_id = X limit 1`, a lookup in
the `_batch_id` index) decides the same thing: a batch without rows is still "no available batch"
(gate 1 then records the empty batch). Any other request goes through GX unchanged.

Imports great_expectations at module level: import it only from inside functions
(`pantau.quality.gx_project` imports it before GX reads a stored data source of this type).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from great_expectations.compatibility import pydantic
from great_expectations.compatibility.sqlalchemy import sqlalchemy as sa
from great_expectations.core.partitioners import PartitionerColumnValue
from great_expectations.datasource.fluent.postgres_datasource import PostgresDatasource
from great_expectations.datasource.fluent.sql_datasource import (
    QueryAsset,
    TableAsset,
    _NoMatchDiagnostics,
)


class BatchProbeTableAsset(TableAsset):
    """A table asset whose column-value batch is looked up by its value (see the module docstring)."""

    type: Literal["table"] = "table"

    def _fully_specified_batch_requests(self, batch_request):
        partitioner = batch_request.partitioner
        value = (batch_request.options or {}).get(getattr(partitioner, "column_name", None))
        if not isinstance(partitioner, PartitionerColumnValue) or value is None:
            return super()._fully_specified_batch_requests(batch_request)
        probe = (
            sa.select(sa.literal(1))
            .select_from(self.as_selectable())
            .where(sa.column(partitioner.column_name) == value)
            .limit(1)
        )
        found = self.datasource.get_execution_engine().execute_query(probe).first() is not None
        diagnostics = _NoMatchDiagnostics(candidate_count=int(found), offending_param=None)
        return ([batch_request] if found else []), diagnostics


class PantauPostgresDatasource(PostgresDatasource):
    """GX's PostgreSQL data source with `BatchProbeTableAsset` tables (GX registers the type)."""

    type: Literal["pantau_postgres"] = "pantau_postgres"  # type: ignore[assignment]
    asset_types: ClassVar[list] = [BatchProbeTableAsset, QueryAsset]
    _TableAsset: type[TableAsset] = pydantic.PrivateAttr(BatchProbeTableAsset)


TYPE = "pantau_postgres"
