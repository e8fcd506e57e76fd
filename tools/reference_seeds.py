"""Write the region and country seeds of dbt_project/seeds from the reference files, by rule.

    .venv/bin/python tools/reference_seeds.py          # rewrite the seeds
    .venv/bin/python tools/reference_seeds.py --check  # exit 1 when a committed seed has drifted

Inputs (nothing else is read):
- `reference/` -- Kemendagri 2025 provinces, kabupaten/kota and kecamatan; ISO 3166-1 (README there);
- CLDR territory names in Indonesian and English, as the `babel` package ships them;
- `tools/reference_extras/` -- the only hand-kept part: province time zones and everyday spellings
  of regions and countries that no rule produces (Tangsel, RRC, Inggris Raya, ICAO `D`, ...).

Outputs: regions.csv, region_aliases.csv, kecamatan.csv, countries.csv, country_aliases.csv.

Rules (docs/contracts.md, "Reference seeds"):
- every kab/kota gets its prefixed spellings (Kab., Kabupaten, Kota, Kodya, Kota Adm., the name
  followed by its kind); the bare name (`Serang`) is never an alias: the key model
  stg_reference__region_keys resolves it only when it names one region nationally;
- a generated or hand-kept alias that could mean two regions is dropped (never guessed) and listed
  by `ambiguous_region_aliases()`; a hand-kept alias equal to another region's bare name is refused;
- a country alias claimed by two countries is written once per country: the key model
  stg_reference__country_keys leaves it unresolved and gate 1 reports the rows using it.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "reference"
EXTRAS_DIR = ROOT / "tools" / "reference_extras"
SEEDS_DIR = ROOT / "dbt_project" / "seeds"

TIMEZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
_PREFIX = re.compile(r"^(Kabupaten Administrasi|Kota Administrasi|Kabupaten|Kota)\s+")


def match_key(text: str) -> str:
    """dbt's normalise_text_key (macros/normalise.sql): upper case, letters and digits only."""
    return re.sub(r"[^0-9A-Z]+", "", text.upper())


def spaced_key(text: str) -> str:
    """Upper case, punctuation as spaces, spaces collapsed: stricter than match_key."""
    return " ".join(re.sub(r"[^0-9A-Z]+", " ", text.upper()).split())


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    rows = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        if None in row or any(value is None for value in row.values()):
            raise ValueError(f"{path}: row {number} has the wrong number of columns: {row!r}")
        rows.append({key: value.strip() for key, value in row.items()})
    return rows


def bare_name(official: str) -> str:
    """`Kabupaten Serang` -> `Serang`, `Kota Administrasi Jakarta Pusat` -> `Jakarta Pusat`."""
    return _PREFIX.sub("", official.strip())


def kab_kota_spellings(official: str) -> list[str]:
    """Spellings of one kab/kota, by rule (case, dots and spaces are absorbed by match_key)."""
    bare = bare_name(official)
    if official.startswith("Kabupaten"):
        spellings = [
            f"Kabupaten {bare}",
            f"KAB. {bare.upper()}",
            f"Kab. {bare}",
            f"Kab {bare}",
            f"{bare} (Kab)",
            f"{bare}, Kab.",
            f"{bare} Kabupaten",
        ]
        if official.startswith("Kabupaten Administrasi"):
            spellings += [official, f"Kab. Adm. {bare}", f"Kabupaten Adm. {bare}"]
    else:
        spellings = [
            f"Kota {bare}",
            f"KOTA {bare.upper()}",
            f"{bare} (Kota)",
            f"{bare}, Kota",
            f"Kodya {bare}",
            f"Kotamadya {bare}",
        ]
        if official.startswith("Kota Administrasi"):
            spellings += [official, f"Kota Adm. {bare}", f"Kodya Jakarta {bare.split()[-1]}"]
    return spellings


def province_spellings(official: str, common: str) -> list[str]:
    names = [official] + ([common] if common and common != official else [])
    out = []
    for name in names:
        out += [f"Provinsi {name}", f"Prov. {name}", f"PROV {name.upper()}", f"Propinsi {name}"]
    if common and common != official:
        out.append(common)
    return out


@dataclass(frozen=True)
class Seeds:
    regions: list[dict[str, str]]
    region_aliases: list[dict[str, str]]
    kecamatan: list[dict[str, str]]
    countries: list[dict[str, str]]
    country_aliases: list[dict[str, str]]
    ambiguous_region_aliases: dict[str, list[str]]
    ambiguous_country_aliases: dict[str, list[str]]

    def files(self) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
        return {
            "regions.csv": (
                ["region_code", "region_name", "region_level", "province_code", "timezone", "bare_name"],
                self.regions,
            ),
            "region_aliases.csv": (["alias", "region_code"], self.region_aliases),
            "kecamatan.csv": (
                ["kecamatan_code", "kecamatan_name", "region_code", "province_code"],
                self.kecamatan,
            ),
            "countries.csv": (
                ["country_code", "alpha2", "numeric_code", "name_en", "name_id", "is_iso3166"],
                self.countries,
            ),
            "country_aliases.csv": (["alias", "country_code"], self.country_aliases),
        }


def build_regions(reference_dir: Path = REFERENCE_DIR, extras_dir: Path = EXTRAS_DIR):
    provinces = _read(reference_dir / "provinces.csv")
    regencies = _read(reference_dir / "regencies.csv")
    districts = _read(reference_dir / "districts.csv")
    profile = {row["province_code"]: row for row in _read(extras_dir / "provinces.csv")}
    missing = sorted({p["code"] for p in provinces} - set(profile))
    if missing:
        raise ValueError(f"{extras_dir / 'provinces.csv'}: no time zone for province(s) {', '.join(missing)}")

    regions = []
    for province in provinces:
        code = province["code"]
        regions.append(
            {
                "region_code": code,
                "region_name": province["name"],
                "region_level": "provinsi",
                "province_code": code,
                "timezone": TIMEZONES[profile[code]["timezone"]],
                "bare_name": province["name"],
            }
        )
    for regency in regencies:
        code, name, province_code = regency["code"], regency["name"], regency["province_code"]
        regions.append(
            {
                "region_code": code,
                "region_name": name,
                "region_level": "kabupaten" if name.startswith("Kabupaten") else "kota",
                "province_code": province_code,
                "timezone": TIMEZONES[profile[province_code]["timezone"]],
                "bare_name": bare_name(name),
            }
        )
    by_code = {region["region_code"]: region for region in regions}

    # Candidate aliases: by rule, then hand-kept. An alias whose key means two regions is dropped.
    candidates: list[tuple[str, str]] = []
    for region in regions:
        code, name = region["region_code"], region["region_name"]
        if region["region_level"] == "provinsi":
            spellings = province_spellings(name, profile[code].get("common_name", ""))
        else:
            spellings = kab_kota_spellings(name)
        candidates += [(alias, code) for alias in spellings]
    bare_keys: dict[str, set[str]] = defaultdict(set)
    for region in regions:
        bare_keys[match_key(region["bare_name"])].add(region["region_code"])
    for row in _read(extras_dir / "region_aliases.csv"):
        alias, code = row["alias"], row["region_code"]
        if code not in by_code:
            raise ValueError(
                f"{extras_dir / 'region_aliases.csv'}: alias {alias!r} names unknown region {code}"
            )
        others = bare_keys.get(match_key(alias), set()) - {code}
        if others:
            raise ValueError(
                f"{extras_dir / 'region_aliases.csv'}: alias {alias!r} for {code} is the bare name of "
                f"{', '.join(sorted(others))}; a bare name is resolved by the key model only when unique"
            )
        candidates.append((alias, code))

    codes_by_key: dict[str, set[str]] = defaultdict(set)
    for alias, code in candidates:
        codes_by_key[match_key(alias)].add(code)
    for region in regions:  # official names take part in the national ambiguity as well
        codes_by_key[match_key(region["region_name"])].add(region["region_code"])
    ambiguous = {key: sorted(codes) for key, codes in codes_by_key.items() if len(codes) > 1}
    aliases, seen = [], set()
    for alias, code in candidates:
        if match_key(alias) in ambiguous or alias in seen:
            continue
        if match_key(alias) in (match_key(by_code[code]["bare_name"]),):
            continue  # a bare name is the key model's business (priority 2)
        seen.add(alias)
        aliases.append({"alias": alias, "region_code": code})

    kecamatan = [
        {
            "kecamatan_code": row["code"],
            "kecamatan_name": row["name"],
            "region_code": row["regency_code"],
            "province_code": row["province_code"],
        }
        for row in districts
    ]
    return regions, aliases, kecamatan, ambiguous


def build_countries(reference_dir: Path = REFERENCE_DIR, extras_dir: Path = EXTRAS_DIR):
    from babel import Locale  # dev dependency: CLDR names, never typed by hand

    indonesian, english = Locale("id").territories, Locale("en").territories
    countries, candidates = [], []
    for row in _read(reference_dir / "iso3166-1.csv"):
        alpha2, alpha3 = row["alpha_2"], row["alpha_3"]
        name_id, name_en = indonesian.get(alpha2), english.get(alpha2)
        if not name_id or not name_en:
            raise ValueError(f"CLDR (babel) has no Indonesian/English name for {alpha2} ({row['name']})")
        countries.append(
            {
                "country_code": alpha3,
                "alpha2": alpha2,
                "numeric_code": row["numeric"],
                "name_en": name_en,
                "name_id": name_id,
                "is_iso3166": "true",
            }
        )
        candidates += [(row["name"], alpha3), (row["official_name"], alpha3)]
        # CLDR's variant and short forms ("Hong Kong", "Kongo - Kinshasa" -> "Kinshasa")
        for locale in (indonesian, english):
            for variant in (f"{alpha2}-alt-short", f"{alpha2}-alt-variant"):
                if locale.get(variant):
                    candidates.append((locale[variant], alpha3))
    for row in _read(extras_dir / "countries_non_iso.csv"):
        cldr = row["cldr_code"]
        countries.append(
            {
                "country_code": row["country_code"],
                "alpha2": cldr,
                "numeric_code": "",
                "name_en": english[cldr] if cldr else row["name_en"],
                "name_id": indonesian[cldr] if cldr else row["name_id"],
                "is_iso3166": "false",
            }
        )
    known = {country["country_code"] for country in countries}
    extras = _read(extras_dir / "country_aliases.csv")
    for row in extras:
        if row["country_code"] not in known:
            raise ValueError(
                f"{extras_dir / 'country_aliases.csv'}: alias {row['alias']!r} names unknown country "
                f"{row['country_code']}"
            )
        candidates.append((row["alias"], row["country_code"]))

    # Alpha-3 codes and names are matched by the key model as they are; only other spellings are
    # written. Alpha-2 codes rank below every name and alias there ("AS" on an Indonesian form is
    # Amerika Serikat, not American Samoa), so they take no part in the ambiguity computed here.
    own_keys: dict[str, set[str]] = defaultdict(set)
    for country in countries:
        for value in (country["country_code"], country["name_en"], country["name_id"]):
            own_keys[match_key(value)].add(country["country_code"])
    codes_by_key: dict[str, set[str]] = defaultdict(set, {key: set(codes) for key, codes in own_keys.items()})
    for alias, code in candidates:
        if alias:
            codes_by_key[match_key(alias)].add(code)
    ambiguous = {key: sorted(codes) for key, codes in codes_by_key.items() if len(codes) > 1}
    # Spellings equal to a name up to case and punctuation are not repeated; ones that differ in
    # spacing only ("Viet Nam" / "Vietnam") are, for tools that keep the spaces (the generator).
    own_spellings = {
        spaced_key(country[column])
        for country in countries
        for column in ("country_code", "name_en", "name_id")
    }
    aliases, written = [], set()
    for alias, code in candidates:
        key = spaced_key(alias)
        if not key or (key, code) in written or (key in own_spellings and match_key(alias) not in ambiguous):
            continue
        written.add((key, code))
        aliases.append({"alias": alias, "country_code": code})
    return countries, aliases, ambiguous


def build() -> Seeds:
    regions, region_aliases, kecamatan, ambiguous_regions = build_regions()
    countries, country_aliases, ambiguous_countries = build_countries()
    return Seeds(
        regions=regions,
        region_aliases=region_aliases,
        kecamatan=kecamatan,
        countries=countries,
        country_aliases=country_aliases,
        ambiguous_region_aliases=ambiguous_regions,
        ambiguous_country_aliases=ambiguous_countries,
    )


def render(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a committed seed differs")
    parser.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR)
    args = parser.parse_args(argv)
    seeds = build()
    drifted = []
    for name, (header, rows) in seeds.files().items():
        path, text = args.seeds_dir / name, render(header, rows)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                drifted.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if drifted:
        names = ", ".join(drifted)
        print(f"seeds differ from the rule: {names}; run tools/reference_seeds.py", file=sys.stderr)
        return 1
    for key, codes in sorted(seeds.ambiguous_country_aliases.items()):
        print(f"ambiguous country spelling {key}: {', '.join(codes)} (left unresolved)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
