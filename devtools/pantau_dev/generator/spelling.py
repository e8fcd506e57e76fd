"""How agencies actually write things: region and country spellings, headers, dates, passports.

Spellings come from the reference seeds (dbt_project/seeds/region_aliases.csv, country_aliases.csv)
when they exist, so that every spelling the generator writes is one the warehouse resolves; the
built-in lists below are the fallback. Bare ambiguous names ("Serang") are written on purpose, rarely,
and the ground truth records them as unresolved.
"""

from __future__ import annotations

import csv
import random
import re
from datetime import date
from functools import cache
from pathlib import Path

from pantau.registry import Feed
from pantau_dev.generator import reference as ref

# pantau.config would pull in psycopg; the seeds folder is all this module needs
SEEDS_DIR = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds"
ID_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ID_MONTHS_LONG = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
EN_MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def match_key(text: str) -> str:
    """The seeds' matching rule (contracts.md): upper case, punctuation removed, spaces collapsed."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.upper()).split())


def _read_seed(name: str, key_column: str) -> dict[str, list[str]] | None:
    path = SEEDS_DIR / name
    if not path.exists():
        return None
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            alias, code = (row.get("alias") or "").strip(), (row.get(key_column) or "").strip()
            if alias and code:
                out.setdefault(code, []).append(alias)
    return {code: sorted(set(aliases)) for code, aliases in out.items()}


@cache
def seed_region_aliases(seeds_dir: Path = SEEDS_DIR) -> dict[str, list[str]] | None:
    return _read_seed("region_aliases.csv", "region_code")


@cache
def seed_country_aliases(seeds_dir: Path = SEEDS_DIR) -> dict[str, list[str]] | None:
    return _read_seed("country_aliases.csv", "country_code")


def builtin_region_spellings(code: str) -> list[str]:
    reg = ref.region(code)
    name = reg.name
    if reg.level == "kabupaten":
        spellings = [
            f"KAB. {name.upper()}",
            f"Kab. {name}",
            f"Kabupaten {name}",
            f"KABUPATEN {name.upper()}",
            f"Kab {name}",
            f"{name} (Kab)",
        ]
    else:
        spellings = [f"KOTA {name.upper()}", f"Kota {name}", f"{name} (Kota)"]
    ambiguous = set(ref.AMBIGUOUS_NAMES.get(code[:2], {}).values())
    if name not in ambiguous:
        spellings += [name, name.upper()]
    return spellings


@cache
def region_spellings(code: str) -> tuple[str, ...]:
    """Accepted spellings of a kab/kota: the seed's aliases if the seed exists, else built-ins."""
    builtin = builtin_region_spellings(code)
    seeded = seed_region_aliases()
    if seeded is None or not seeded.get(code):
        return tuple(builtin)
    accepted = {match_key(a) for a in seeded[code]}
    # prefer the built-in variety where the seed accepts it, plus whatever else the seed lists
    chosen = [s for s in builtin if match_key(s) in accepted]
    chosen += [a for a in seeded[code] if match_key(a) not in {match_key(s) for s in chosen}]
    return tuple(chosen)


@cache
def country_spellings(code: str) -> tuple[str, ...]:
    builtin = list(ref.COUNTRY_VARIANTS[code])
    seeded = seed_country_aliases()
    if seeded is None:
        return tuple(builtin)
    country = ref.COUNTRIES[code]
    accepted = {match_key(a) for a in seeded.get(code, [])} | {
        match_key(x) for x in (code, country.alpha2, country.name_en, country.name_id)
    }
    chosen = [s for s in builtin if match_key(s) in accepted]
    return tuple(chosen or [code])


def region_text(code: str, rng: random.Random, ambiguous: bool = False, preferred: int | None = None) -> str:
    """One spelling of a region; `preferred` picks a file's house style most of the time."""
    if ambiguous:
        bare = ref.AMBIGUOUS_NAMES[code[:2]][code]
        return rng.choice((bare, bare.upper()))
    options = region_spellings(code)
    if preferred is not None and rng.random() < 0.8:
        return options[preferred % len(options)]
    return options[rng.randrange(len(options))]


def country_text(code: str, rng: random.Random, preferred: int | None = None) -> str:
    options = country_spellings(code)
    if preferred is not None and rng.random() < 0.85:
        return options[preferred % len(options)]
    return options[rng.randrange(len(options))]


# ----- dates ----------------------------------------------------------------------------------
def format_date(day: date, style: str) -> str:
    match style:
        case "dmy":  # f-strings over strftime: this runs for every date of a million rows
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        case "iso":
            return day.isoformat()
        case "dmy_dash":
            return f"{day.day:02d}-{day.month:02d}-{day.year}"
        case "dmy_dot":
            return f"{day.day:02d}.{day.month:02d}.{day.year}"
        case "dmy_short":
            return f"{day.day}/{day.month}/{day.year}"
        case "id_month":
            return f"{day.day} {ID_MONTHS[day.month - 1]} {day.year}"
        case "id_month_long":
            return f"{day.day} {ID_MONTHS_LONG[day.month - 1]} {day.year}"
        case "en_month":
            return f"{day.day} {EN_MONTHS_LONG[day.month - 1]} {day.year}"
        case "serial":
            return str((day - date(1899, 12, 30)).days)
    raise ValueError(style)


class DateMix:
    """A column's date style: mostly the file's house format, sometimes another one."""

    def __init__(self, primary: str, others: tuple[str, ...] = (), rate: float = 0.0) -> None:
        self.primary, self.others, self.rate = primary, others, rate

    def __call__(self, day: date | None, rng: random.Random) -> str:
        if day is None:
            return ""
        if self.others and rng.random() < self.rate:
            return format_date(day, rng.choice(self.others))
        return format_date(day, self.primary)


# ----- headers --------------------------------------------------------------------------------
def _cosmetic(text: str, style: str) -> str:
    match style:
        case "snake":
            return re.sub(r"[\W_]+", "_", text.lower()).strip("_")
        case "upper":
            return text.upper()
        case "title":
            return " ".join(w[:1].upper() + w[1:] for w in text.replace("_", " ").split())
        case "upper_snake":
            return re.sub(r"[\W_]+", "_", text.upper()).strip("_")
        case "camel":
            words = re.split(r"[\W_]+", text)
            return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
        case "dotted":  # "No. Paspor", "Tgl. Lahir"
            words = [w[:1].upper() + w[1:] for w in text.replace("_", " ").split()]
            if words and words[0].lower() in ("no", "tgl", "jk"):
                words[0] += "."
            return " ".join(words)
    return text


def headers(feed: Feed, rng: random.Random, style: str | None = None, alias_rate: float = 0.4) -> list[str]:
    """A file's header row: the canonical names or registry aliases, in one cosmetic style."""
    style = style or rng.choice(("snake", "upper", "title", "upper_snake", "dotted"))
    out = []
    for column in feed.columns:
        base = column.name
        if column.aliases and rng.random() < alias_rate:
            base = rng.choice(column.aliases)
        out.append(_cosmetic(base, style))
    return out


# ----- small messes ---------------------------------------------------------------------------
def passport_text(passport: str, rng: random.Random, rate: float = 0.02) -> str:
    """Data-entry variants that normalise back to the same passport (lower case, spaces, dashes)."""
    roll = rng.random()
    if roll >= rate:
        return passport
    roll /= rate
    if roll < 0.35:
        return passport.lower()
    if roll < 0.7:
        return f"{passport[:2]} {passport[2:]}"
    return f"{passport[:3]}-{passport[3:]}"


def trailing(text: str, rng: random.Random, rate: float = 0.01) -> str:
    return text + " " if text and rng.random() < rate else text
