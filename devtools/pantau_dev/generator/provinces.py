"""Any province by data alone: its kab/kota from the reference seeds, its magnitudes from a profile.

Banten (36) and Kalimantan Tengah (62) have hand-drawn worlds in `reference` and `population`.
Every other province is derived from one of them (its *template*): the template's kab/kota are
laid over the province's own, in code order, so every planted finding and weight lands somewhere
real; population sizes, tourist flow and nationality mixes come from the small profile below.
`register(code)` does this once per process before a world is built.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from pantau_dev.generator import reference as ref
from pantau_dev.generator.spelling import SEEDS_DIR

PILOTS = ("36", "62")


@dataclass(frozen=True)
class Profile:
    template: str  # the pilot province whose shape the world takes
    roles: dict[str, float] = field(default_factory=dict)  # population multiplier per role
    tourists_per_day: float | None = None
    nationalities: dict[str, dict[str, int]] = field(default_factory=dict)  # per role
    region_weights: dict[str, dict[str, int]] = field(default_factory=dict)  # per role (codes)


# Small per-province profiles; a province without one takes Kalimantan Tengah's shape as it is.
PROFILES = {
    # Bali: tourism. Many visit permits and lodging reports, few foreign workers, a large community
    # of long-stay residents and remote workers; stays concentrated in Badung, Denpasar, Gianyar.
    "51": Profile(
        template="36",
        roles={"worker": 0.15, "investor": 0.8, "family": 1.2, "remote": 4.0, "itap": 0.8, "visit": 3.0},
        tourists_per_day=300.0,
        nationalities={
            "tourist": {
                "AUS": 30,
                "IND": 10,
                "CHN": 12,
                "GBR": 7,
                "USA": 7,
                "FRA": 5,
                "DEU": 5,
                "JPN": 4,
                "KOR": 4,
                "RUS": 6,
                "NLD": 4,
                "MYS": 3,
                "SGP": 3,
            },
            "visit": {
                "AUS": 25,
                "RUS": 12,
                "USA": 8,
                "GBR": 8,
                "FRA": 6,
                "DEU": 6,
                "NLD": 5,
                "CHN": 8,
                "IND": 6,
                "JPN": 4,
                "KOR": 4,
            },
            "remote": {"AUS": 20, "USA": 15, "GBR": 12, "RUS": 12, "DEU": 8, "NLD": 6, "FRA": 6},
        },
        region_weights={
            "tourist": {
                "51.03": 45,
                "51.71": 20,
                "51.04": 15,
                "51.08": 6,
                "51.05": 4,
                "51.01": 4,
                "51.02": 3,
                "51.06": 2,
                "51.07": 1,
            },
            "resident": {
                "51.03": 35,
                "51.71": 25,
                "51.04": 20,
                "51.08": 8,
                "51.01": 5,
                "51.02": 4,
                "51.05": 1,
                "51.06": 1,
                "51.07": 1,
            },
        },
    ),
}


@cache
def seed_regions() -> dict[str, dict[str, str]]:
    with (SEEDS_DIR / "regions.csv").open(encoding="utf-8", newline="") as handle:
        return {row["region_code"]: row for row in csv.DictReader(handle)}


@cache
def seed_kecamatan() -> dict[str, list[str]]:
    places: dict[str, list[str]] = defaultdict(list)
    with (SEEDS_DIR / "kecamatan.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            places[row["region_code"]].append(row["kecamatan_name"])
    return dict(places)


def province_codes() -> tuple[str, ...]:
    return tuple(code for code, row in seed_regions().items() if row["region_level"] == "provinsi")


def timezone(province: str) -> str:
    return seed_regions()[province]["timezone"]


def _regions_from_seeds(province: str) -> tuple[ref.Region, ...]:
    places = seed_kecamatan()
    return tuple(
        ref.Region(
            code, row["bare_name"], row["region_level"], tuple(places.get(code, [row["bare_name"]])[:6])
        )
        for code, row in sorted(seed_regions().items())
        if row["province_code"] == province and row["region_level"] != "provinsi"
    )


def _ambiguous_bare_names(regions: tuple[ref.Region, ...]) -> dict[str, str]:
    """Bare names of this province's kab/kota that the national key table leaves unresolved."""
    counts: dict[str, int] = defaultdict(int)
    for row in seed_regions().values():
        counts[row["bare_name"].upper()] += 1
    return {region.code: region.name for region in regions if counts[region.name.upper()] > 1}


def _remap(value, mapping: dict[str, str]):
    """Every pilot region code inside `value` (nested tuples, lists, dicts) replaced by its image."""
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, dict):
        out: dict = {}
        for key, item in value.items():
            new_key = _remap(key, mapping)
            if isinstance(item, int | float) and new_key in out:
                out[new_key] += item
            else:
                out[new_key] = _remap(item, mapping)
        return out
    if isinstance(value, tuple | list):
        return type(value)(_remap(item, mapping) for item in value)
    return value


def register(province: str) -> None:
    """Make `province` known to the generator (no-op for the pilots and once registered)."""
    from pantau_dev.generator import population

    if province in ref.REGIONS:
        return
    if province not in province_codes():
        raise ValueError(f"unknown province {province!r}; choose one of {', '.join(province_codes())}")
    profile = PROFILES.get(province, Profile(template="62"))
    template = profile.template
    regions = _regions_from_seeds(province)
    if not regions:
        raise ValueError(f"province {province} has no kabupaten/kota in {SEEDS_DIR / 'regions.csv'}")
    pilot = ref.REGIONS[template]
    mapping = {old.code: regions[i % len(regions)].code for i, old in enumerate(pilot)}
    places = {region.code: region.places for region in regions}
    for old in pilot:  # the template's place names become the target's own kecamatan
        for i, place in enumerate(old.places):
            mapping.setdefault(place, places[mapping[old.code]][i % len(places[mapping[old.code]])])

    ref.REGIONS[province] = regions
    ref.PROVINCE_NAMES[province] = seed_regions()[province]["region_name"]
    ref.AMBIGUOUS_NAMES[province] = _ambiguous_bare_names(regions)
    capital = next((r for r in regions if r.level == "kota"), regions[0])
    ref.DEFAULT_OFFICE[province] = f"Kantor Imigrasi Kelas I TPI {capital.name}"
    ref.POPULATION[province] = {
        role: max(1, round(size * profile.roles.get(role, 1.0)))
        for role, size in ref.POPULATION[template].items()
    }
    ref.TOURISTS_PER_DAY[province] = profile.tourists_per_day or ref.TOURISTS_PER_DAY[template]
    for (pilot_code, role), weights in list(ref.NATIONALITY_WEIGHTS.items()):
        if pilot_code == template:
            ref.NATIONALITY_WEIGHTS[(province, role)] = dict(profile.nationalities.get(role, weights))
    for (pilot_code, role), weights in list(ref.REGION_WEIGHTS.items()):
        if pilot_code == template:
            ref.REGION_WEIGHTS[(province, role)] = profile.region_weights.get(role) or _remap(
                weights, mapping
            )
    ref.EMPLOYER_TEMPLATES[province] = _remap(ref.EMPLOYER_TEMPLATES[template], mapping)
    population.PLANTS[province] = _remap(population.PLANTS[template], mapping)
