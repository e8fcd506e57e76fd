"""An independent reading of generated files: parse them back, normalise, and apply the finding rules.

This is the executable form of docs/contracts.md ("Normalisation rules", "Finding rules"), written
without looking at the generator's model: tests use it to prove the files and the ground truth agree,
and that the background holds no finding that was not planted. It reads whole feeds into memory, so
it is for test-sized landing zones.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pantau.registry import feed, header_key
from pantau_dev.generator import reference as ref
from pantau_dev.generator import spelling as sp

MONTHS = {
    **{m.upper(): i + 1 for i, m in enumerate(sp.ID_MONTHS)},
    **{m.upper(): i + 1 for i, m in enumerate(sp.ID_MONTHS_LONG)},
    **{m.upper(): i + 1 for i, m in enumerate(sp.EN_MONTHS_LONG)},
    **{m[:3].upper(): i + 1 for i, m in enumerate(sp.EN_MONTHS_LONG)},
}


# ----- reading --------------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_file(path: Path, feed_name: str) -> list[dict]:
    """Data records of one file as {canonical column: value}; values are str, or date/float from XLSX."""
    spec = feed(feed_name)
    index = spec.alias_index()
    if path.suffix == ".jsonl":
        records = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                records.append({index[header_key(k)]: v for k, v in raw.items() if header_key(k) in index})
        return records
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(spec.sheet).to_python(skip_empty_area=False)
    else:
        text = _decode(path.read_bytes())
        dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect))
    for position, row in enumerate(rows):
        keys = [header_key(str(cell)) for cell in row]
        if sum(k in index for k in keys) >= max(2, len(spec.required_columns)):
            columns = [index.get(k) for k in keys]
            body = rows[position + 1 :]
            break
    else:
        raise ValueError(f"{path}: no header row found")
    records = []
    for row in body:
        if not any(str(cell).strip() for cell in row):
            continue
        records.append({c: v for c, v in zip(columns, row, strict=False) if c})
    return records


def read_feed(landing: Path, feed_name: str, province: str | None = None) -> list[dict]:
    out = []
    for path in sorted((landing / feed_name).glob("*")):
        if province and f"_{province}_" not in path.name:
            continue
        for record in read_file(path, feed_name):
            record["_file"] = path.name
            out.append(record)
    return out


# ----- normalising ----------------------------------------------------------------------------
def parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, float | int):
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if re.fullmatch(r"\d{5}", text) and 20000 <= int(text) <= 80000:
        return date(1899, 12, 30) + timedelta(days=int(text))
    if m := re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", text):
        month = MONTHS.get(m[2].upper())
        return date(int(m[3]), month, int(m[1])) if month else None
    return None


def passport_norm(value) -> str | None:
    text = re.sub(r"[\s\-./]", "", str(value or "")).upper()
    return text or None


class Resolver:
    """Region and country names to codes.

    By default from the seeds plus the generator's built-in spellings; `seeds_only=True` uses
    exactly what the warehouse uses (regions/countries seeds and their alias seeds), so a test can
    prove every spelling written resolves downstream.
    """

    def __init__(self, seeds_only: bool = False) -> None:
        self.regions: dict[str, str] = {}
        self.countries: dict[str, str] = {}
        if seeds_only:
            self._from_seeds()
            return
        seeded = sp.seed_region_aliases() or {}
        for regions in ref.REGIONS.values():
            for reg in regions:
                for alias in (
                    *sp.builtin_region_spellings(reg.code),
                    reg.official,
                    *seeded.get(reg.code, []),
                ):
                    self.regions[sp.match_key(alias)] = reg.code
        seeded = sp.seed_country_aliases() or {}
        for code, country in ref.COUNTRIES.items():
            names = (code, country.alpha2, country.name_en, country.name_id, *ref.COUNTRY_VARIANTS[code])
            for alias in (*names, *seeded.get(code, [])):
                self.countries[sp.match_key(alias)] = code

    def _from_seeds(self) -> None:
        with (sp.SEEDS_DIR / "regions.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                self.regions[sp.match_key(row["region_name"])] = row["region_code"]
        with (sp.SEEDS_DIR / "countries.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for name in (row["country_code"], row["alpha2"], row["name_en"], row["name_id"]):
                    self.countries[sp.match_key(name)] = row["country_code"]
        for code, aliases in (sp.seed_region_aliases() or {}).items():
            for alias in aliases:
                self.regions[sp.match_key(alias)] = code
        for code, aliases in (sp.seed_country_aliases() or {}).items():
            for alias in aliases:
                self.countries[sp.match_key(alias)] = code

    def region(self, value) -> str | None:
        return self.regions.get(sp.match_key(str(value or "")))

    def country(self, value) -> str | None:
        return self.countries.get(sp.match_key(str(value or "")))


# ----- the normalised world -------------------------------------------------------------------
@dataclass
class Records:
    permits: list[dict] = field(default_factory=list)
    lodging: list[dict] = field(default_factory=list)
    tka: list[dict] = field(default_factory=list)
    sktt: list[dict] = field(default_factory=list)
    police: list[dict] = field(default_factory=list)
    research: list[dict] = field(default_factory=list)
    community: list[dict] = field(default_factory=list)


def load(landing: Path, province: str) -> Records:
    """Read and normalise every feed present in the landing zone, deduplicated by natural key."""
    res = Resolver()
    out = Records()

    def person(rec: dict) -> tuple[str, str] | None:
        passport, country = passport_norm(rec.get("no_paspor")), res.country(rec.get("kewarganegaraan"))
        return (passport, country) if passport and country else None

    seen: set = set()

    def first(feed_name: str, rec: dict) -> bool:
        key = (feed_name, *(str(rec.get(c)).strip() for c in feed(feed_name).natural_key))
        if key in seen:
            return False
        seen.add(key)
        return True

    for rec in read_feed(landing, "imigrasi_izin_tinggal", province):
        if first("imigrasi_izin_tinggal", rec):
            out.permits.append(
                {
                    "person": person(rec),
                    "jenis": str(rec.get("jenis_izin") or "").strip().upper(),
                    "indeks": str(rec.get("indeks_visa") or "").strip().upper(),
                    "terbit": parse_date(rec.get("tanggal_terbit")),
                    "berakhir": parse_date(rec.get("tanggal_berakhir")),
                    "region": res.region(rec.get("kabupaten_kota")),
                    "region_text": rec.get("kabupaten_kota"),
                }
            )
    for rec in read_feed(landing, "imigrasi_apoa", province):
        if first("imigrasi_apoa", rec):
            out.lodging.append(
                {
                    "person": person(rec),
                    "region": res.region(rec.get("kabupaten_kota")),
                    "country": res.country(rec.get("kewarganegaraan")),
                    "masuk": parse_date(rec.get("tanggal_masuk")),
                    "purpose": str(rec.get("tujuan_kunjungan") or "").strip().upper(),
                }
            )
    for rec in read_feed(landing, "disnaker_tka", province):
        if first("disnaker_tka", rec):
            out.tka.append(
                {
                    "person": person(rec),
                    "region": res.region(rec.get("lokasi_kerja")),
                    "country": res.country(rec.get("kewarganegaraan")),
                    "mulai": parse_date(rec.get("tanggal_mulai")),
                    "selesai": parse_date(rec.get("tanggal_selesai")),
                }
            )
    for rec in read_feed(landing, "dukcapil_sktt", province):
        if first("dukcapil_sktt", rec):
            out.sktt.append({"person": person(rec), "terbit": parse_date(rec.get("tanggal_terbit"))})
    for rec in read_feed(landing, "polri_laporan", province):
        if first("polri_laporan", rec):
            out.police.append(
                {
                    "person": person(rec),
                    "region": res.region(rec.get("kabupaten_kota")),
                    "country": res.country(rec.get("kewarganegaraan")),
                    "tanggal": parse_date(rec.get("tanggal")),
                }
            )
    for rec in read_feed(landing, "kesbangpol_penelitian", province):
        if first("kesbangpol_penelitian", rec):
            out.research.append(
                {
                    "person": person(rec),
                    "mulai": parse_date(rec.get("tanggal_mulai")),
                    "selesai": parse_date(rec.get("tanggal_selesai")),
                }
            )
    for rec in read_feed(landing, "masyarakat_laporan", province):
        if first("masyarakat_laporan", rec):
            when = str(rec.get("waktu_laporan") or "").strip().split(" ")[0]
            out.community.append(
                {
                    "day": parse_date(when),
                    "region": res.region(rec.get("kabupaten_kota")),
                    "country": res.country(rec.get("kewarganegaraan_dugaan"))
                    if str(rec.get("kewarganegaraan_dugaan") or "").strip()
                    else None,
                }
            )
    return out


# ----- present and findings -------------------------------------------------------------------
def present(records: Records, as_of: date = ref.REFERENCE_DATE) -> list[dict]:
    latest: dict[tuple[str, str], dict] = {}
    for permit in records.permits:
        if permit["person"] and permit["terbit"] <= as_of <= permit["berakhir"]:
            current = latest.get(permit["person"])
            if current is None or permit["terbit"] > current["terbit"]:
                latest[permit["person"]] = permit
    counts = Counter((p["region"], who[1]) for who, p in latest.items())
    return [
        {"region_code": region, "country_code": country, "count": n}
        for (region, country), n in sorted(counts.items(), key=lambda kv: (kv[0][0] or "~", kv[0][1]))
    ]


WORK = ref.WORK_INDEXES
RESEARCH = ref.RESEARCH_INDEXES


def findings(records: Records, as_of: date = ref.REFERENCE_DATE) -> list[dict]:
    """Every finding the rules of docs/contracts.md produce, as ground-truth-shaped dicts."""
    out: list[dict] = []
    permits = defaultdict(list)
    for p in records.permits:
        if p["person"] and p["terbit"] <= as_of:
            permits[p["person"]].append(p)
    tka = defaultdict(list)
    for t in records.tka:
        if t["person"]:
            tka[t["person"]].append(t)

    def add(code: str, who: tuple[str, str], region: str | None) -> None:
        out.append(
            {"finding_code": code, "region_code": region, "passport_norm": who[0], "country_code": who[1]}
        )

    # OVERSTAY
    sightings = defaultdict(list)
    for rec in records.lodging:
        if rec["person"] and rec["masuk"] and rec["masuk"] <= as_of:
            sightings[rec["person"]].append((rec["masuk"], rec["region"]))
    for rec in records.police:
        if rec["person"] and rec["tanggal"] and rec["tanggal"] <= as_of:
            sightings[rec["person"]].append((rec["tanggal"], rec["region"]))
    for who, seen in sightings.items():
        if who not in permits:
            continue
        expiry = max(p["berakhir"] for p in permits[who])
        after = sorted(s for s in seen if s[0] > expiry)
        if after:
            add("OVERSTAY", who, after[-1][1])

    def valid(p: dict, day: date) -> bool:
        return p["terbit"] <= day <= p["berakhir"]

    # TKA_TANPA_ITAS
    for who, records_ in tka.items():
        active = [t for t in records_ if t["mulai"] <= as_of <= t["selesai"]]
        if active and not any(valid(p, as_of) and p["indeks"] in WORK for p in permits.get(who, [])):
            add("TKA_TANPA_ITAS", who, max(active, key=lambda t: t["mulai"])["region"])
    # ITAS_KERJA_TANPA_RPTKA
    for who, plist in permits.items():
        work = [p for p in plist if valid(p, as_of) and p["indeks"] in WORK]
        if work and not any(t["mulai"] <= as_of <= t["selesai"] for t in tka.get(who, [])):
            add("ITAS_KERJA_TANPA_RPTKA", who, max(work, key=lambda p: p["terbit"])["region"])
    # SKTT_TERLAMBAT
    sktt_people = {s["person"] for s in records.sktt if s["person"] and s["terbit"] and s["terbit"] <= as_of}
    for who, plist in permits.items():
        late = [
            p for p in plist if p["jenis"] == "ITAS" and valid(p, as_of) and (as_of - p["terbit"]).days > 14
        ]
        if late and who not in sktt_people:
            add("SKTT_TERLAMBAT", who, max(late, key=lambda p: p["terbit"])["region"])
    # LOKASI_BERBEDA
    window_start = as_of - timedelta(days=90)
    for who, records_ in tka.items():
        active = [t for t in records_ if t["mulai"] <= as_of <= t["selesai"] and t["region"]]
        if not active:
            continue
        home = {t["region"] for t in active}
        away = [
            s for s in sightings.get(who, []) if window_start < s[0] <= as_of and s[1] and s[1] not in home
        ]
        if len(away) >= 3:
            add("LOKASI_BERBEDA", who, max(active, key=lambda t: t["mulai"])["region"])
    # IZIN_SEGERA_BERAKHIR
    for who, plist in permits.items():
        last = max(plist, key=lambda p: (p["berakhir"], p["terbit"]))
        if last["jenis"] in ("ITAS", "ITAP") and as_of <= last["berakhir"] <= as_of + timedelta(days=30):
            add("IZIN_SEGERA_BERAKHIR", who, last["region"])
    # PENELITI_TANPA_PEMBERITAHUAN
    notices = defaultdict(list)
    for n in records.research:
        if n["person"]:
            notices[n["person"]].append(n)

    def covered(who: tuple[str, str], day: date) -> bool:
        return any(n["mulai"] <= day <= n["selesai"] for n in notices.get(who, []))

    flagged: dict[tuple[str, str], str | None] = {}
    for who, plist in permits.items():
        research = [p for p in plist if valid(p, as_of) and p["indeks"] in RESEARCH]
        if research and not covered(who, as_of):
            flagged[who] = max(research, key=lambda p: p["terbit"])["region"]
    lodging_flags: dict[tuple[str, str], tuple[date, str | None]] = {}
    for rec in records.lodging:
        who, day = rec["person"], rec["masuk"]
        if (
            who
            and day
            and rec["purpose"] == "PENELITIAN"
            and window_start < day <= as_of
            and not covered(who, day)
            and (who not in lodging_flags or day >= lodging_flags[who][0])
        ):
            lodging_flags[who] = (day, rec["region"])
    for who, (_, region) in lodging_flags.items():
        flagged.setdefault(who, region)
    for who, region in flagged.items():
        add("PENELITI_TANPA_PEMBERITAHUAN", who, region)
    # LONJAKAN_KEDATANGAN
    weekly: dict[tuple[str, str, int], set] = defaultdict(set)
    for rec in records.lodging:
        if rec["person"] and rec["region"] and rec["masuk"] and rec["masuk"] <= as_of:
            bucket = (as_of - rec["masuk"]).days // 7
            if bucket <= 12:
                weekly[(rec["region"], rec["person"][1], bucket)].add(rec["person"])
    pairs = {(r, c) for r, c, _ in weekly}
    for region, country in sorted(pairs):
        current = len(weekly.get((region, country, 0), ()))
        baseline_sum = sum(len(weekly.get((region, country, k), ())) for k in range(1, 13))
        if current >= 10 and 4 * current >= baseline_sum:  # N >= 3 x (sum / 12)
            out.append(
                {
                    "finding_code": "LONJAKAN_KEDATANGAN",
                    "region_code": region,
                    "passport_norm": None,
                    "country_code": country,
                }
            )
    # LAPORAN_MASYARAKAT_TIDAK_COCOK
    for report in records.community:
        day, region, country = report["day"], report["region"], report["country"]
        if not day or not region or day > as_of:
            continue
        lo = day - timedelta(days=30)

        def matches(rec_region, rec_country, region=region, country=country) -> bool:
            return rec_region == region and (country is None or rec_country == country)

        found = (
            any(
                matches(p["region"], p["person"] and p["person"][1]) and p["terbit"] <= day <= p["berakhir"]
                for p in records.permits
            )
            or any(
                matches(r["region"], r["country"]) and r["masuk"] and lo <= r["masuk"] <= day
                for r in records.lodging
            )
            or any(
                matches(t["region"], t["country"]) and t["mulai"] <= day <= t["selesai"] for t in records.tka
            )
            or any(
                matches(r["region"], r["country"]) and r["tanggal"] and lo <= r["tanggal"] <= day
                for r in records.police
            )
        )
        if not found:
            out.append(
                {
                    "finding_code": "LAPORAN_MASYARAKAT_TIDAK_COCOK",
                    "region_code": region,
                    "passport_norm": None,
                    "country_code": country,
                }
            )
    out.sort(key=finding_key)
    return out


def finding_key(f: dict) -> tuple:
    return (f["finding_code"], f["region_code"] or "", f["passport_norm"] or "", f["country_code"] or "")
