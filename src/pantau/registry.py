"""The feed registry (feeds.yml) as typed objects, plus header matching."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

# PANTAU_FEED_REGISTRY points at another registry file (a deployment's own, or a test's).
REGISTRY_PATH = Path(os.environ.get("PANTAU_FEED_REGISTRY", Path(__file__).with_name("feeds.yml")))
LINEAGE_COLUMNS = ("_batch_id", "_source_file", "_row_number", "_loaded_at")


def header_key(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a header ("No. Paspor" -> "nopaspor")."""
    return re.sub(r"[\W_]+", "", text.casefold())


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    pii: bool = False
    aliases: tuple[str, ...] = ()

    def header_keys(self) -> set[str]:
        return {header_key(self.name), *(header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class Feed:
    name: str
    agency: str
    description: str
    formats: tuple[str, ...]
    cadence_days: int | None
    natural_key: tuple[str, ...]
    suite: str
    columns: tuple[Column, ...]
    sheet: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def rejects_table(self) -> str:
        return f"raw.{self.name}__rejects"

    @property
    def asset_uri(self) -> str:
        return f"pantau://raw/{self.name}"

    def alias_index(self) -> dict[str, str]:
        """Header key -> canonical column name."""
        return {key: column.name for column in self.columns for key in column.header_keys()}


def _parse(name: str, spec: dict) -> Feed:
    columns = tuple(
        Column(
            name=col_name,
            required=bool(col.get("required", False)),
            pii=bool(col.get("pii", False)),
            aliases=tuple(col.get("aliases", ())),
        )
        for col_name, col in spec["columns"].items()
    )
    known = {"agency", "description", "formats", "cadence_days", "natural_key", "suite", "columns", "sheet"}
    return Feed(
        name=name,
        agency=spec["agency"],
        description=spec.get("description", ""),
        formats=tuple(spec["formats"]),
        cadence_days=spec.get("cadence_days"),
        natural_key=tuple(spec["natural_key"]),
        suite=spec.get("suite", f"raw__{name}"),
        columns=columns,
        sheet=spec.get("sheet"),
        extra={k: v for k, v in spec.items() if k not in known},
    )


def load_registry(path: Path | None = None) -> dict[str, Feed]:
    data = yaml.safe_load((path or REGISTRY_PATH).read_text(encoding="utf-8"))
    return {name: _parse(name, spec) for name, spec in data["feeds"].items()}


@cache
def feeds() -> dict[str, Feed]:
    return load_registry()


def feed(name: str) -> Feed:
    try:
        return feeds()[name]
    except KeyError:
        raise KeyError(f"unknown feed {name!r}; known feeds: {', '.join(feeds())}") from None
