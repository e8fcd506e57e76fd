"""The ground truth: what a correct pipeline must find in the generated files."""

from __future__ import annotations

from collections import Counter

from pantau_dev.generator import reference as ref
from pantau_dev.generator.model import Person, World

R = ref.REFERENCE_DATE


def present(people: list[Person]) -> list[dict]:
    """contracts.md: distinct person with a permit valid on R; region of the most recently issued one."""
    counts: Counter[tuple[str | None, str]] = Counter()
    for person in people:
        valid = [p for p in person.permits if p.valid_on(R)]
        if not valid:
            continue
        latest = max(valid, key=lambda p: p.terbit)
        counts[(None if latest.ambiguous else latest.region, person.country)] += 1
    return [
        {"region_code": region, "country_code": country, "count": n}
        for (region, country), n in sorted(counts.items(), key=lambda kv: (kv[0][0] or "~", kv[0][1]))
    ]


def person_findings(people: list[Person]) -> list[dict]:
    return [
        {
            "finding_code": code,
            "region_code": region,
            "passport_norm": person.passport,
            "country_code": person.country,
            "note": person.note,
        }
        for person in people
        for code, region in person.planted
    ]


def assemble(world: World, feeds: dict[str, dict], region_findings: list[dict]) -> dict:
    findings = person_findings(world.people) + region_findings
    findings.sort(
        key=lambda f: (
            f["finding_code"],
            f["region_code"] or "",
            f["passport_norm"] or "",
            f["country_code"] or "",
        )
    )
    unresolved = sum(p.ambiguous for person in world.people for p in person.permits)
    return {
        "province": world.province,
        "seed": world.seed,
        "scale": world.scale,
        "reference_date": R.isoformat(),
        "feeds": dict(sorted(feeds.items())),
        "present": present(world.people),
        "findings": findings,
        "unresolved_region_permits": unresolved,
        "near_misses": sorted(p.note for p in world.people if p.note and not p.planted),
    }
