"""How numbers and dates read in the briefing: `1.234` and `30 Oktober 2025` in Indonesian.

Small counts can be suppressed (`PANTAU_SUPPRESS_BELOW=k` prints 1..k-1 as "< k") so that a
cell never singles out one or two people.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup, escape

from pantau.briefing.labels import Labels


def suppress_below() -> int:
    """The suppression threshold k from `PANTAU_SUPPRESS_BELOW`; 0 (the default) turns it off."""
    value = os.environ.get("PANTAU_SUPPRESS_BELOW", "").strip() or "0"
    try:
        threshold = int(value)
    except ValueError as exc:
        raise ValueError(f"PANTAU_SUPPRESS_BELOW={value!r} is not a whole number") from exc
    if threshold < 0:
        raise ValueError(f"PANTAU_SUPPRESS_BELOW must be >= 0; got {threshold}")
    return threshold


@dataclass(frozen=True)
class Formatter:
    labels: Labels
    suppress_below: int = 0

    @property
    def language(self) -> str:
        return self.labels.language

    def number(self, value: int | float) -> str:
        """Thousands grouped the local way: `1.234` (id), `1,234` (en)."""
        text = f"{round(value):,}"
        return text.replace(",", ".") if self.language == "id" else text

    def is_suppressed(self, value: int) -> bool:
        return 0 < value < self.suppress_below

    def count(self, value: int) -> str:
        """A count of people or cases: suppressed below the threshold, else a number."""
        if self.is_suppressed(value):
            return f"< {self.suppress_below}"
        return self.number(value)

    def decimal(self, value: float) -> str:
        """One decimal, grouped the local way: `1.234,5` (id), `1,234.5` (en)."""
        text = f"{value:,.1f}"
        return text.translate(str.maketrans(",.", ".,")) if self.language == "id" else text

    def change(self, value: int) -> str:
        """A signed difference of counts: `+12`, `−3`, `±0`; a small one is suppressed like a count."""
        if value == 0:
            return "±0"
        if self.is_suppressed(abs(value)):
            return f"± < {self.suppress_below}"
        return ("+" if value > 0 else "\u2212") + self.number(abs(value))

    def percent(self, part: int, whole: int) -> str:
        if not whole:
            return "–"
        text = f"{100 * part / whole:.1f}"
        return (text.replace(".", ",") if self.language == "id" else text) + "%"

    def date(self, value: date | None) -> str:
        if value is None:
            return "–"
        month = self.labels["months"].split()[value.month - 1]
        return f"{value.day} {month} {value.year}"

    def short_date(self, value: date | None) -> str:
        """For narrow table cells: `27/10/2025` (id), `2025-10-27` (en, unambiguous)."""
        if value is None:
            return "–"
        return value.strftime("%d/%m/%Y") if self.language == "id" else value.isoformat()

    def long_date(self, value: date) -> str:
        weekday = self.labels["weekdays"].split()[value.weekday()]
        return f"{weekday}, {self.date(value)}"

    def clock(self, value: datetime) -> str:
        """`14.05 WIB`: Indonesian writes times with a dot; the zone is named (WIB, WITA, WIT)."""
        clock = value.strftime("%H.%M" if self.language == "id" else "%H:%M")
        return f"{clock} {value.tzname() or ''}".rstrip()

    def timestamp(self, value: datetime) -> str:
        """`27 Oktober 2025 14.05 WIB`."""
        return f"{self.date(value.date())} {self.clock(value)}"

    def breakable(self, identifier: str) -> Markup:
        """An identifier (`expect_column_values_to_be_unique`) that may wrap after its underscores."""
        return Markup(str(escape(identifier)).replace("_", "_<wbr>"))
