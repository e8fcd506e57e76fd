"""The executive summary: headline figures with their change since the previous meeting, and the
three most important developments as plain sentences generated from the data.

Every sentence comes from a label template (labels.py, `dev_*`) filled with formatted figures, so
both languages read naturally and suppressed counts stay suppressed ("< k").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from pantau.briefing.breakdowns import ArrivalTrend, WorkerBreakdown
from pantau.briefing.data import MartData
from pantau.briefing.formatting import Formatter
from pantau.briefing.labels import Labels
from pantau.briefing.quality import QualityData

DEVELOPMENTS = 3
SURGE_RATIO = 1.25  # last week this far above the 12-week average is worth a sentence (and below 1/x)
SURGE_MIN = 10  # ... when at least this many arrived (the surge finding's N >= 10)


@dataclass(frozen=True)
class Headline:
    value: str
    caption: str
    change: str | None  # "+12 sejak rapat sebelumnya"; None when there is nothing to compare with
    detail: str | None = None  # a second line under the caption


def headlines(
    marts: MartData,
    workers: WorkerBreakdown | None,
    arrivals: ArrivalTrend | None,
    labels: Labels,
    fmt: Formatter,
) -> list[Headline]:
    since = labels["since_previous"]
    cards = []
    if marts.has_presence:
        change = None
        if marts.previous_present is not None and marts.previous_reference_date != marts.reference_date:
            change = f"{fmt.change(marts.totals['present'] - marts.previous_present)} {since}"
        cards.append(Headline(fmt.count(marts.totals["present"]), labels["total_present"], change))
    else:
        cards.append(Headline("–", labels["total_present"], None, labels["not_available_short"]))
    if marts.has_findings:
        change = None
        if marts.findings_since is not None:
            change = f"{fmt.change(marts.totals['new_findings'] - marts.totals['resolved_findings'])} {since}"
        detail = labels["new_resolved"].format(
            new=fmt.count(marts.totals["new_findings"]), resolved=fmt.count(marts.totals["resolved_findings"])
        )
        cards.append(
            Headline(fmt.count(marts.totals["open_findings"]), labels["open_findings"], change, detail)
        )
    else:
        cards.append(Headline("–", labels["open_findings"], None, labels["not_available_short"]))
    if workers is not None:
        change = None
        if workers.previous_total is not None:
            change = f"{fmt.change(workers.total - workers.previous_total)} {since}"
        cards.append(Headline(fmt.count(workers.total), labels["active_workers"], change))
    else:
        cards.append(Headline("–", labels["active_workers"], None, labels["not_available_short"]))
    if arrivals is not None:
        detail = labels["weekly_average"].format(n=fmt.decimal(arrivals.baseline))
        cards.append(Headline(fmt.count(arrivals.last_week), labels["arrivals_last_week"], None, detail))
    else:
        cards.append(Headline("–", labels["arrivals_last_week"], None, labels["not_available_short"]))
    return cards


def developments(
    marts: MartData,
    quality: QualityData,
    workers: WorkerBreakdown | None,
    arrivals: ArrivalTrend | None,
    labels: Labels,
    fmt: Formatter,
    region_name: Callable[[str | None], str],
) -> list[str]:
    """Up to three sentences, most important first: findings needing follow-up, a data-quality
    problem that qualifies the figures, a change in arrivals, then where foreigners and workers are."""
    since = fmt.date(marts.findings_since) if marts.findings_since else None
    candidates = [
        _findings_sentence(marts, labels, fmt, since),
        _quality_sentence(quality, labels),
        _arrivals_sentence(arrivals, labels, fmt),
        _presence_sentence(marts, labels, fmt, region_name),
        _workers_sentence(workers, labels, fmt, region_name),
    ]
    return [sentence for sentence in candidates if sentence][:DEVELOPMENTS]


def finding_label(marts: MartData, code: str) -> str:
    """A finding type's name from the finding catalogue (marts.dim_finding_types)."""
    return marts.finding_name(code)


def _findings_sentence(marts: MartData, labels: Labels, fmt: Formatter, since: str | None) -> str | None:
    if not marts.has_findings:
        return None
    new = [f for f in marts.findings if f.kind == "new"]
    open_ = [f for f in marts.findings if f.kind != "resolved"]
    resolved = marts.totals["resolved_findings"]
    if new:
        code, count = Counter(f.finding_code for f in new).most_common(1)[0]
        agency = Counter(f.agency for f in new if f.finding_code == code).most_common(1)[0][0]
        key = "dev_new_findings_since" if since else "dev_new_findings"
        text = labels[key].format(
            n=fmt.count(len(new)),
            since=since,
            type=finding_label(marts, code),
            k=fmt.count(count),
            agency=agency,
        )
        high = sum(1 for f in new if f.severity == "tinggi")
        if high:
            text += " " + labels["dev_high_severity"].format(n=fmt.count(high))
        if since and resolved:
            text += " " + labels["dev_resolved"].format(n=fmt.count(resolved))
        return text
    if open_:
        code, count = Counter(f.finding_code for f in open_).most_common(1)[0]
        return labels["dev_open_findings"].format(
            n=fmt.count(len(open_)), type=finding_label(marts, code), k=fmt.count(count)
        )
    return labels["dev_no_findings"]


def _quality_sentence(quality: QualityData, labels: Labels) -> str | None:
    if not quality.validated:
        return labels["dev_not_validated"]
    bad = [f for f in quality.feeds if f.status in ("rejected", "quarantined")]
    if bad:
        return labels["dev_rejected_files"].format(
            agencies=", ".join(sorted({f.agency for f in bad})), feeds=", ".join(f.feed for f in bad)
        )
    stale = [f for f in quality.freshness if f.cadence_days is not None and f.status != "tepat waktu"]
    if stale:
        return labels["dev_stale_feeds"].format(
            agencies=", ".join(sorted({f.agency for f in stale})), feeds=", ".join(f.feed for f in stale)
        )
    return None


def _arrivals_sentence(arrivals: ArrivalTrend | None, labels: Labels, fmt: Formatter) -> str | None:
    if arrivals is None or not arrivals.weeks:
        return None
    last, base = arrivals.last_week, arrivals.baseline
    top = arrivals.by_country[0] if arrivals.by_country else None
    country = (top[1] or top[0]) if top else None
    if last >= SURGE_MIN and last >= SURGE_RATIO * base:
        key = "dev_arrivals_up" if base > 0 else "dev_arrivals_new"
        text = labels[key].format(
            n=fmt.count(last), base=fmt.decimal(base), pct=fmt.percent(round(last - base), round(base) or 1)
        )
        if country:
            text += " " + labels["dev_arrivals_top"].format(country=country, n=fmt.count(top[2]))
        return text
    if base >= SURGE_MIN and last * SURGE_RATIO <= base:
        return labels["dev_arrivals_down"].format(n=fmt.count(last), base=fmt.decimal(base))
    return None


def _presence_sentence(
    marts: MartData, labels: Labels, fmt: Formatter, region_name: Callable[[str | None], str]
) -> str | None:
    if not marts.has_presence:
        return None
    total = marts.totals["present"]
    if not total:
        return labels["no_presence"]
    regions = [r for r in marts.regions if r.present]
    top_region = max(regions, key=lambda r: (r.present, r.region_code is not None))
    top_country = marts.nationalities[0]
    text = labels["dev_presence"].format(
        n=fmt.count(total),
        region=region_name(top_region.region_code),
        share=fmt.percent(top_region.present, total),
        country=top_country.name or top_country.country_code or labels["unidentified"],
        k=fmt.count(top_country.present),
    )
    if marts.previous_present is not None and marts.previous_reference_date != marts.reference_date:
        text += " " + labels["dev_presence_change"].format(
            change=fmt.change(total - marts.previous_present),
            date=fmt.date(marts.previous_reference_date),
        )
    return text


def _workers_sentence(
    workers: WorkerBreakdown | None, labels: Labels, fmt: Formatter, region_name: Callable[[str | None], str]
) -> str | None:
    if workers is None or not workers.total:
        return None
    sector, count = workers.by_sector[0]
    return labels["dev_workers"].format(
        n=fmt.count(workers.total),
        employers=fmt.number(workers.employer_count),
        sector=labels.get_or(f"sector_{sector}", sector or labels["unidentified"]),
        share=fmt.percent(count, workers.total),
    )
