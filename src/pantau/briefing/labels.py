"""Every word the briefing prints, looked up by key: one message file per language in
`pantau/briefing/messages/<language>.yml` (Bahasa Indonesia `id`, the default, and English `en`).

Templates and code look labels up by key (`labels_for(language)[key]`); a missing key or a
missing translation fails loudly (StrictUndefined in Jinja, KeyError here) rather than printing
an empty cell. Adding a language means adding one file with the keys of `id.yml`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

MESSAGES_DIR = Path(__file__).with_name("messages")
DEFAULT_LANGUAGE = "id"


@cache
def languages() -> tuple[str, ...]:
    found = sorted(path.stem for path in MESSAGES_DIR.glob("*.yml"))
    return (DEFAULT_LANGUAGE, *(language for language in found if language != DEFAULT_LANGUAGE))


@cache
def messages(language: str) -> dict[str, str]:
    """One language's file as read; every language must have exactly the default language's keys."""
    path = MESSAGES_DIR / f"{language}.yml"
    texts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if language != DEFAULT_LANGUAGE:
        expected, found = set(messages(DEFAULT_LANGUAGE)), set(texts)
        if expected != found:
            raise KeyError(
                f"{path}: missing {sorted(expected - found)}, unknown {sorted(found - expected)} "
                f"(compared with {DEFAULT_LANGUAGE}.yml)"
            )
    return texts


def label_table() -> dict[str, dict[str, str]]:
    """{key: {language: text}}, in the default language's order."""
    return {
        key: {language: messages(language)[key] for language in languages()}
        for key in messages(DEFAULT_LANGUAGE)
    }


def __getattr__(name: str):
    # LANGUAGES and LABELS read the message files when first asked for, not at import.
    if name == "LANGUAGES":
        return languages()
    if name == "LABELS":
        return label_table()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Labels(dict):
    """One language's labels; a missing key raises KeyError naming the missing key."""

    language: str

    def __missing__(self, key: str) -> str:
        raise KeyError(f"briefing label {key!r} is not in {MESSAGES_DIR}/{self.language}.yml")

    def get_or(self, key: str, fallback: str) -> str:
        return self.get(key, fallback)


def labels_for(language: str) -> Labels:
    if language not in languages():
        raise ValueError(f"language must be one of {', '.join(languages())}; got {language!r}")
    labels = Labels(messages(language))
    labels.language = language
    return labels
