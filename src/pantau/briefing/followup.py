"""Who must follow up what: the findings of each responsible agency, by type, region and severity.

Aggregated (counts per type × kab/kota), never case by case: the officers who follow up open the
cases themselves in the `restricted` schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pantau.briefing.data import FindingRow

SEVERITY_ORDER = {"tinggi": 0, "sedang": 1, "rendah": 2}


@dataclass
class FollowUpRow:
    finding_code: str
    subtype: str | None  # a group within the type (permit type, nationality): ITK apart from ITAS
    region_code: str | None
    severity: str | None
    new: int = 0
    continuing: int = 0
    resolved: int = 0
    oldest_open: date | None = None  # earliest first-seen date among the open ones

    @property
    def open(self) -> int:
        return self.new + self.continuing


@dataclass
class AgencyFollowUp:
    agency: str
    rows: list[FollowUpRow] = field(default_factory=list)

    @property
    def open(self) -> int:
        return sum(r.open for r in self.rows)

    @property
    def high(self) -> int:
        return sum(r.open for r in self.rows if r.severity == "tinggi")


def follow_up(findings: list[FindingRow]) -> list[AgencyFollowUp]:
    """Per agency (most open findings first): rows by type, kab/kota and severity, open ones first,
    then by severity and size."""
    groups: dict[str, dict[tuple, FollowUpRow]] = {}
    for finding in findings:
        key = (finding.finding_code, finding.subtype, finding.region_code, finding.severity)
        row = groups.setdefault(finding.agency, {}).setdefault(key, FollowUpRow(*key))
        setattr(row, finding.kind, getattr(row, finding.kind) + 1)
        if finding.kind != "resolved" and finding.first_seen_date is not None:
            row.oldest_open = min(filter(None, (row.oldest_open, finding.first_seen_date)))
    agencies = [
        AgencyFollowUp(
            agency,
            sorted(
                rows.values(),
                key=lambda r: (
                    r.open == 0,
                    SEVERITY_ORDER.get(r.severity or "", 3),
                    -r.open,
                    r.finding_code,
                    r.subtype or "",
                    r.region_code or "~",
                ),
            ),
        )
        for agency, rows in groups.items()
    ]
    return sorted(agencies, key=lambda a: (-a.open, a.agency))
