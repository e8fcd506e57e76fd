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


SOURCE_KINDS = ("landing", "sftp", "imap")


@dataclass(frozen=True)
class Source:
    """Where a feed's files come from (feeds.yml `sources:`); credentials live in the named Airflow
    connection (or its AIRFLOW_CONN_<ID> environment variable), never here.

    landing: files dropped in <landing>/<feed>/ (always read, whatever else is declared).
    sftp:    files matching `pattern` in folder `path` on the SFTP server of `connection`.
    imap:    attachments in mailbox `folder` of `connection` from one of `senders` (addresses or
             `*@domain`), with an extension in `attachments` (default: the feed's formats) and a
             name matching `filename`.
    """

    kind: str
    connection: str | None = None
    path: str | None = None
    pattern: str = "*"
    folder: str = "INBOX"
    senders: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()
    filename: str = "*"
    settle_seconds: float | None = None
    move_to: str | None = None

    @property
    def key(self) -> str:
        """One name per remote place; feeds sharing a mailbox share its key (and its fetch)."""
        if self.kind == "landing":
            return "landing"
        place = self.path if self.kind == "sftp" else self.folder
        return f"{self.kind}:{self.connection}:{place}"


LANDING = Source("landing")


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
    sources: tuple[Source, ...] = (LANDING,)
    contacts: tuple[str, ...] = ()  # the agency's addresses for feedback (registry `contacts:`)
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


def _parse_source(feed_name: str, spec) -> Source:
    if spec == "landing":
        return LANDING
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in SOURCE_KINDS:
        raise ValueError(
            f"feeds.yml, feed {feed_name!r}: source {spec!r} is not "
            "`landing`, `sftp: {...}` or `imap: {...}`"
        )
    kind, options = next(iter(spec.items()))
    options = dict(options or {})
    allowed = {
        "sftp": {"connection", "path", "pattern", "settle_seconds"},
        "imap": {"connection", "folder", "senders", "attachments", "filename", "move_to"},
        "landing": set(),
    }[kind]
    required = {"sftp": {"connection", "path"}, "imap": {"connection", "senders"}, "landing": set()}[kind]
    unknown, missing = set(options) - allowed, required - set(options)
    if unknown or missing:
        raise ValueError(
            f"feeds.yml, feed {feed_name!r}, {kind} source: "
            + "; ".join(
                part
                for part in (
                    f"unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})" if unknown else "",
                    f"missing keys {sorted(missing)}" if missing else "",
                )
                if part
            )
        )
    for many in ("senders", "attachments"):
        if many in options:
            value = options[many]
            options[many] = tuple(
                str(v).strip().lower().lstrip(".") if many == "attachments" else str(v).strip().lower()
                for v in ([value] if isinstance(value, str) else value)
            )
    return Source(kind=kind, **options)


def _parse(name: str, spec: dict, contacts: dict | None = None) -> Feed:
    columns = tuple(
        Column(
            name=col_name,
            required=bool(col.get("required", False)),
            pii=bool(col.get("pii", False)),
            aliases=tuple(col.get("aliases", ())),
        )
        for col_name, col in spec["columns"].items()
    )
    known = {"agency", "description", "formats", "cadence_days", "natural_key", "suite", "columns"}
    known |= {"sheet", "sources"}
    sources = tuple(_parse_source(name, s) for s in spec.get("sources", ["landing"]))
    if LANDING not in sources:
        sources = (LANDING, *sources)  # the landing folder is always read
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
        sources=sources,
        contacts=tuple((contacts or {}).get(spec["agency"], ())),
        extra={k: v for k, v in spec.items() if k not in known},
    )


def load_registry(path: Path | None = None) -> dict[str, Feed]:
    data = yaml.safe_load((path or REGISTRY_PATH).read_text(encoding="utf-8"))
    contacts = data.get("contacts") or {}
    return {name: _parse(name, spec, contacts) for name, spec in data["feeds"].items()}


@cache
def feeds() -> dict[str, Feed]:
    return load_registry()


def feed(name: str) -> Feed:
    try:
        return feeds()[name]
    except KeyError:
        raise KeyError(f"unknown feed {name!r}; known feeds: {', '.join(feeds())}") from None
