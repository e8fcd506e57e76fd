"""What the briefing shows, read from the marts (docs/contracts.md, "Marts the briefing reads").

Only aggregates leave this module: counts per region, nationality and finding type. The marts
carry no names or passport numbers, and the queries here never select person keys either.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import psycopg


class BriefingDataError(RuntimeError):
    """The marts cannot answer for this region and cut-off; the message says what to run."""


OPEN_STATUSES = ("baru", "berlanjut")


@dataclass(frozen=True)
class Region:
    region_code: str
    region_name: str
    region_level: str  # provinsi | kabupaten | kota
    province_code: str
    province_name: str

    @property
    def is_province(self) -> bool:
        return self.region_level == "provinsi"


@dataclass
class RegionRow:
    region_code: str | None  # None: permits whose kab/kota could not be resolved
    region_name: str | None
    present: int = 0
    open_findings: int = 0


@dataclass
class NationalityRow:
    country_code: str | None
    name: str | None
    present: int


@dataclass
class FindingSubtypeRow:
    """One group within a finding type (fct_findings.finding_subtype: the permit type of an
    expiring permit, the nationality of a surge), so that many of one kind do not hide the rest."""

    subtype: str
    new: int = 0
    continuing: int = 0
    resolved: int = 0

    @property
    def open(self) -> int:
        return self.new + self.continuing


@dataclass
class FindingTypeRow:
    finding_code: str
    agencies: list[str]
    new: int = 0
    continuing: int = 0
    resolved: int = 0
    subtypes: list[FindingSubtypeRow] = field(default_factory=list)

    @property
    def open(self) -> int:
        return self.new + self.continuing


@dataclass
class AgencyRow:
    agency: str
    new: int = 0
    continuing: int = 0
    resolved: int = 0

    @property
    def open(self) -> int:
        return self.new + self.continuing


@dataclass(frozen=True)
class FindingType:
    """One row of the finding catalogue (marts.dim_finding_types, from seed finding_types.csv),
    in the briefing's language."""

    finding_code: str
    display_order: int
    responsible_agency: str
    severity: str
    name: str
    definition: str


@dataclass(frozen=True)
class FindingRow:
    """One finding as the briefing counts it: no person key, no detail text."""

    finding_code: str
    region_code: str | None
    agency: str
    severity: str | None
    first_seen_date: date | None
    kind: str  # new | continuing | resolved (since the previous meeting)
    subtype: str | None = None  # fct_findings.finding_subtype (permit type, nationality...)


@dataclass
class MartData:
    region: Region
    scope: list[Region]  # the kab/kota the briefing covers
    reference_date: date | None  # the marts' reference date actually used
    regions: list[RegionRow]
    nationalities: list[NationalityRow]
    finding_types: list[FindingTypeRow]
    agencies: list[AgencyRow]
    findings_since: date | None  # new/resolved are counted after this date (previous meeting's cut-off)
    totals: dict[str, int] = field(default_factory=dict)
    findings: list[FindingRow] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)  # marts this warehouse does not have (yet)
    previous_present: int | None = None  # present at the previous meeting's cut-off, when the mart kept it
    previous_reference_date: date | None = None
    catalogue: list[FindingType] = field(default_factory=list)  # every finding type, in display order

    def finding_name(self, code: str) -> str:
        """The catalogue's name of a finding type; the code itself if the catalogue lacks it."""
        return next((t.name for t in self.catalogue if t.finding_code == code), code)

    def finding_order(self, code: str) -> tuple[int, str]:
        order = next((t.display_order for t in self.catalogue if t.finding_code == code), None)
        return (order if order is not None else 1 << 30, code)

    @property
    def has_presence(self) -> bool:
        return "fct_foreigners_present" not in self.missing

    @property
    def has_findings(self) -> bool:
        return "fct_findings" not in self.missing


def load_catalogue(conn: psycopg.Connection, language: str) -> list[FindingType]:
    """The finding catalogue in `language` (id or en), in display order; empty when the warehouse
    does not have marts.dim_finding_types yet."""
    if not table_exists(conn, "marts.dim_finding_types"):
        return []
    name, definition = ("name_id", "definition_id") if language == "id" else ("name_en", "definition_en")
    rows = conn.execute(
        f"select finding_code, display_order, responsible_agency, severity, {name}, {definition} "
        "from marts.dim_finding_types order by display_order, finding_code"
    ).fetchall()
    return [FindingType(code, int(order), *rest) for code, order, *rest in rows]


def _region(row: tuple) -> Region:
    return Region(*row)


def load_region(conn: psycopg.Connection, region_code: str) -> tuple[Region, list[Region]]:
    """The meeting's region and the kab/kota it covers (itself, for a kab/kota meeting)."""
    columns = "region_code, region_name, region_level, province_code, province_name"
    row = conn.execute(
        f"select {columns} from marts.dim_regions where region_code = %s", (region_code,)
    ).fetchone()
    if row is None:
        raise BriefingDataError(
            f"Region {region_code!r} is not in marts.dim_regions; add it to the regions seed and run dbt."
        )
    region = _region(row)
    if not region.is_province:
        return region, [region]
    scope = conn.execute(
        f"select {columns} from marts.dim_regions "
        "where province_code = %s and region_level <> 'provinsi' order by region_code",
        (region.province_code,),
    ).fetchall()
    return region, [_region(r) for r in scope]


def table_exists(conn: psycopg.Connection, qualified: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()[0]


def scope_filter(region: Region, alias: str = "") -> tuple[str, dict[str, str]]:
    """SQL condition for a mart row belonging to the briefing: its province (unresolved kab/kota
    included) for a province briefing, the kab/kota itself otherwise."""
    prefix = f"{alias}." if alias else ""
    if region.is_province:
        return f"{prefix}province_code = %(code)s", {"code": region.province_code}
    return f"{prefix}region_code = %(code)s", {"code": region.region_code}


def _has_column(conn: psycopg.Connection, schema: str, table: str, column: str) -> bool:
    return (
        conn.execute(
            "select 1 from information_schema.columns "
            "where table_schema = %s and table_name = %s and column_name = %s",
            (schema, table, column),
        ).fetchone()
        is not None
    )


def reference_date(conn: psycopg.Connection, table: str, cutoff: date) -> date | None:
    """The latest reference date at or before the cut-off; fails if the mart was built only later."""
    latest, earliest_after = conn.execute(
        f"select max(reference_date) filter (where reference_date <= %(c)s), "
        f"min(reference_date) filter (where reference_date > %(c)s) from {table}",
        {"c": cutoff},
    ).fetchone()
    if latest is None and earliest_after is not None:
        raise BriefingDataError(
            f"{table} holds data as of {earliest_after} only, after the briefing's cut-off {cutoff}. "
            f"Rebuild the marts for the cut-off (PANTAU_AS_OF={cutoff} dbt build) and render again."
        )
    return latest


def load_marts(
    conn: psycopg.Connection,
    region_code: str,
    cutoff: date,
    *,
    findings_since: date | None,
    language: str,
) -> MartData:
    """Presence and findings for the briefing; a mart that does not exist yet is left out (listed
    in `missing`), so the briefing says so instead of failing. dim_regions is required."""
    region, scope = load_region(conn, region_code)
    missing = {
        table
        for table in ("fct_foreigners_present", "fct_findings", "dim_countries")
        if not table_exists(conn, f"marts.{table}")
    }
    reference = previous_reference = None
    present: list[tuple] = []
    previous_present = None
    present_filter, present_params = scope_filter(region, "present")
    if "fct_foreigners_present" not in missing:
        reference = reference_date(conn, "marts.fct_foreigners_present", cutoff)
        countries = "dim_countries" not in missing
        name_column = ("name_id" if language == "id" else "name_en") if countries else "null::text"
        join = (
            "left join marts.dim_countries as countries on countries.country_code = present.country_code"
            if countries
            else ""
        )
        name = f"countries.{name_column}" if countries else name_column
        present = conn.execute(
            f"""
            select present.region_code, present.country_code, {name},
                   sum(present.foreigner_count)::bigint as foreigner_count
            from marts.fct_foreigners_present as present
            {join}
            where present.reference_date = %(ref)s and {present_filter}
            group by 1, 2, 3
            """,
            {"ref": reference, **present_params},
        ).fetchall()
        if findings_since is not None:
            # The mart may keep earlier runs: the count at the previous meeting's cut-off.
            previous_reference, previous_present = conn.execute(
                f"""
                select present.reference_date, sum(present.foreigner_count)::bigint
                from marts.fct_foreigners_present as present
                where present.reference_date = (
                    select max(reference_date) from marts.fct_foreigners_present
                    where reference_date <= %(since)s
                ) and {present_filter}
                group by 1
                """,
                {"since": findings_since, **present_params},
            ).fetchone() or (None, None)

    findings: list[tuple] = []
    if "fct_findings" not in missing:
        reference_date(conn, "marts.fct_findings", cutoff)  # same staleness check for findings
        # Latest state of each finding as of the cut-off; works for a snapshot mart and a history mart.
        scope_codes = [r.region_code for r in scope] + [region.region_code]
        # A finding whose kab/kota is unresolved still belongs to a province briefing when the mart
        # carries its province.
        unresolved = ""
        if region.is_province and _has_column(conn, "marts", "fct_findings", "province_code"):
            unresolved = "or (region_code is null and province_code = %(province)s)"

        # Columns an older mart may lack (the briefing renders from it all the same).
        def optional(column: str, missing_as: str) -> str:
            return column if _has_column(conn, "marts", "fct_findings", column) else missing_as

        severity = optional("severity", "null::text")
        subtype = optional("finding_subtype", "null::text")
        detected = optional("detected_date", "null::date")
        findings = conn.execute(
            f"""
            select distinct on (finding_id)
                finding_id, finding_code, region_code, responsible_agency,
                first_seen_date, status, resolved_date, {severity}, {subtype}, {detected}
            from marts.fct_findings
            where reference_date <= %(cutoff)s and (region_code = any(%(codes)s) {unresolved})
            order by finding_id, reference_date desc
            """,
            {"cutoff": cutoff, "codes": scope_codes, "province": region.province_code},
        ).fetchall()

    names = {r.region_code: r.region_name for r in scope}
    by_region: dict[str | None, RegionRow] = {code: RegionRow(code, name) for code, name in names.items()}
    by_country: Counter[tuple[str | None, str | None]] = Counter()
    for region_row_code, country_code, country_name, count in present:
        row = by_region.setdefault(region_row_code, RegionRow(region_row_code, names.get(region_row_code)))
        row.present += count
        by_country[(country_code, country_name)] += count

    types: dict[str, FindingTypeRow] = {}
    agencies: dict[str, AgencyRow] = {}
    type_agencies: dict[str, set[str]] = defaultdict(set)
    finding_rows: list[FindingRow] = []
    subtypes: dict[str, dict[str, FindingSubtypeRow]] = defaultdict(dict)
    for row_values in findings:
        _fid, code, finding_region, agency, first_seen, status, resolved_date, severity = row_values[:8]
        subtype, detected_date = row_values[8:10]
        agency = agency or "–"
        type_row = types.setdefault(code, FindingTypeRow(code, []))
        agency_row = agencies.setdefault(agency, AgencyRow(agency))
        type_agencies[code].add(agency)
        if status in OPEN_STATUSES:
            if findings_since is None:
                is_new = status == "baru"
            else:
                # New since the previous meeting: its evidence is later, or the team learnt of it
                # later (data that arrived late: a July surge in a file loaded in October).
                is_new = (
                    first_seen is None
                    or first_seen > findings_since
                    or (detected_date is not None and detected_date > findings_since)
                )
            kind = "new" if is_new else "continuing"
            region_row = by_region.setdefault(
                finding_region, RegionRow(finding_region, names.get(finding_region))
            )
            region_row.open_findings += 1
        elif findings_since is None or resolved_date is None or resolved_date > findings_since:
            kind = "resolved"
        else:
            continue  # resolved before the previous meeting: already reported then
        counted = [type_row, agency_row]
        if subtype is not None:
            counted.append(subtypes[code].setdefault(subtype, FindingSubtypeRow(subtype)))
        for row in counted:
            setattr(row, kind, getattr(row, kind) + 1)
        finding_rows.append(FindingRow(code, finding_region, agency, severity, first_seen, kind, subtype))
    for code, row in types.items():
        row.agencies = sorted(type_agencies[code])
        row.subtypes = sorted(subtypes[code].values(), key=lambda r: (-r.open, -r.resolved, r.subtype))

    regions = sorted(by_region.values(), key=lambda r: (r.region_code is None, r.region_code or ""))
    nationalities = [
        NationalityRow(code, name, count)
        for (code, name), count in sorted(by_country.items(), key=lambda item: (-item[1], item[0][0] or "~"))
        if count
    ]
    type_rows = sorted(types.values(), key=lambda r: (-r.open, -r.resolved, r.finding_code))
    totals = {
        "present": sum(r.present for r in regions),
        "nationalities": sum(1 for n in nationalities if n.country_code is not None),
        "regions_with_foreigners": sum(1 for r in regions if r.region_code is not None and r.present > 0),
        "regions_in_scope": len(scope),
        "open_findings": sum(r.open for r in type_rows),
        "new_findings": sum(r.new for r in type_rows),
        "continuing_findings": sum(r.continuing for r in type_rows),
        "resolved_findings": sum(r.resolved for r in type_rows),
    }
    return MartData(
        region=region,
        scope=scope,
        reference_date=reference,
        regions=regions,
        nationalities=nationalities,
        finding_types=type_rows,
        agencies=sorted(agencies.values(), key=lambda r: (-r.open, r.agency)),
        findings_since=findings_since,
        totals=totals,
        findings=finding_rows,
        catalogue=load_catalogue(conn, language),
        missing=missing,
        previous_present=previous_present,
        previous_reference_date=previous_reference,
    )
