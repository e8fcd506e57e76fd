"""Masking personal data in quality results before anything stores or renders them.

A value of a personal-data column (`pii: true` in feeds.yml) is replaced by its shape: letters
become `X`/`x`, digits `9`, other characters stay. `E1234567` -> `X9999999`. The shape is what an
auditor needs to see why a passport number looks implausible, without the number itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Keys in GX result payloads that carry counts or row positions, never data values.
_NON_VALUE_KEYS = frozenset({"count", "_row_number", "_batch_id", "_source_file"})


def mask_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    text = str(value)
    return "".join(
        ("X" if ch.isupper() else "x") if ch.isalpha() else "9" if ch.isdigit() else ch for ch in text
    )


def mask_unexpected(payload: Any, pii_columns: Iterable[str], expectation_columns: Iterable[str]) -> Any:
    """A copy of a GX `result` payload (or part of it) with personal-data values masked.

    Lists of bare values belong to the expectation's own column; dicts name their columns
    (compound keys, index lists); `{"value": ..., "count": n}` pairs carry the column's value.
    """
    pii = frozenset(pii_columns)
    bare_is_pii = any(column in pii for column in expectation_columns)

    def walk(obj: Any, key: str | None) -> Any:
        if isinstance(obj, dict):
            return {k: walk(v, k) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [walk(item, key) for item in obj]
        if key in pii:
            return mask_value(obj)
        if key in _NON_VALUE_KEYS:
            return obj
        if bare_is_pii and key in (None, "value", "partial_unexpected_list", "unexpected_list"):
            return mask_value(obj)
        return obj

    return walk(payload, None)


# The parts of a GX expectation result that may hold data values.
VALUE_KEYS = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_list",
    "unexpected_index_list",
    "details",
    "observed_value",
)


def mask_result_payload(
    result: dict[str, Any], pii_columns: Iterable[str], expectation_columns: Iterable[str]
) -> dict[str, Any]:
    """Mask in place the value-carrying keys of one expectation result's `result` dict."""
    pii = list(pii_columns)
    columns = list(expectation_columns)
    for key in VALUE_KEYS:
        if key in result and result[key] is not None:
            if key == "observed_value" and not isinstance(result[key], list | dict | str):
                continue  # counts and fractions
            result[key] = mask_unexpected(result[key], pii, columns)
    return result
