"""The synthetic world: people and the records agencies hold about them.

Feeds are *views* of this one model, so the same person appears consistently across agencies and
the ground truth can be computed from the model rather than from the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class Employer:
    name: str
    kbli: str
    sector: str
    region: str
    rptka_prefix: str


@dataclass(slots=True)
class Permit:
    no_izin: str
    jenis: str  # ITK / ITAS / ITAP
    indeks: str  # '' for ITAP
    terbit: date
    berakhir: date
    region: str
    ambiguous: bool = False  # written as a bare ambiguous name ("Serang"): unresolved downstream
    penjamin: str = ""
    alamat: str = ""

    def valid_on(self, day: date) -> bool:
        return self.terbit <= day <= self.berakhir


@dataclass(slots=True)
class Stay:
    """A lodging report (APOA)."""

    checkin: date
    checkout: date | None
    region: str
    hotel: str
    purpose: str
    indeks: str = ""
    ambiguous: bool = False


@dataclass(slots=True)
class Tka:
    no_rptka: str
    employer: Employer
    jabatan: str
    region: str
    mulai: date
    selesai: date
    status: str


@dataclass(slots=True)
class Sktt:
    no_sktt: str
    no_izin: str
    region: str
    terbit: date
    berlaku_sampai: date


@dataclass(slots=True)
class PoliceRecord:
    no_laporan: str
    day: date
    jenis: str
    region: str
    uraian: str
    with_passport: bool = True


@dataclass(slots=True)
class ResearchNotice:
    no_surat: str
    institusi: str
    judul: str
    regions: tuple[str, ...]
    mulai: date
    selesai: date
    no_izin_brin: str


@dataclass(slots=True)
class Person:
    pid: int
    role: str  # worker, investor, family, remote, research, itap, visit, tourist
    country: str
    passport: str  # normalised form (the truth's passport_norm)
    name: str
    sex: str
    birth: date
    region: str
    employer: Employer | None = None
    permits: list[Permit] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    tka: list[Tka] = field(default_factory=list)
    sktt: list[Sktt] = field(default_factory=list)
    police: list[PoliceRecord] = field(default_factory=list)
    research: list[ResearchNotice] = field(default_factory=list)
    planted: list[tuple[str, str]] = field(default_factory=list)  # (finding code, region) on purpose
    note: str = ""  # why this person exists (planted case or near miss), for the truth file

    def latest_expiry(self) -> date | None:
        return max((p.berakhir for p in self.permits), default=None)


@dataclass(slots=True)
class CommunityReport:
    at: str  # "dd/mm/yyyy HH:MM:SS" as the web form exports it
    day: date
    role: str
    region: str
    kecamatan: str
    estimate: int
    country: str | None
    activity: str


@dataclass
class World:
    province: str
    seed: int
    scale: float
    people: list[Person]
    reports: list[CommunityReport]
    region_findings: list[dict]  # LAPORAN_MASYARAKAT_TIDAK_COCOK planted (LONJAKAN: see lodging)
    excluded_pairs: set[tuple[str, str]]  # (region, country) kept empty for community reports
    burst: tuple[str, str]  # (region, country) of the planted arrival surge
    anonymous_police: list[tuple[PoliceRecord, str | None]] = field(default_factory=list)
    employers: list[Employer] = field(default_factory=list)
    hotels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # region -> hotel names
    passports: Any = None  # the PassportIssuer, so lodging-only guests never reuse a number
