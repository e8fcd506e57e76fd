"""Write the briefing's message files (one YAML per language) from a Python label table.

The briefing's words used to live in one Python dict (`LABELS = {key: {"id": ..., "en": ...}}`
in src/pantau/briefing/labels.py); they now live in src/pantau/briefing/messages/<language>.yml.
This converts such a dict, keeping its order and its section comments, so that a branch still
editing the old dict can be carried over mechanically:

    .venv/bin/python -m pantau_dev.labels_to_messages old_labels.py src/pantau/briefing/messages
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import yaml

HEADER = (
    "# Every word the briefing prints, language `{language}`: one key per entry, grouped by section.\n"
    "# Loaded by pantau.briefing.labels; every language file has exactly the keys of id.yml.\n"
    "# Placeholders in braces ({{status}}, {{date}}) are filled in by the code.\n"
)


def read_table(path: Path) -> list[tuple[str | None, str, dict[str, str]]]:
    """[(section comment or None, key, {language: text})] in source order."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    table = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign | ast.Assign)
        and any(
            getattr(t, "id", None) == "LABELS"
            for t in getattr(node, "targets", [getattr(node, "target", None)])
        )
    )
    assert isinstance(table, ast.Dict)
    entries = []
    previous_end = table.lineno
    for key_node, value_node in zip(table.keys, table.values, strict=True):
        comments = [
            line.strip().lstrip("#").strip()
            for line in lines[previous_end : key_node.lineno - 1]
            if line.strip().startswith("#")
        ]
        entries.append((" ".join(comments) or None, ast.literal_eval(key_node), ast.literal_eval(value_node)))
        previous_end = value_node.end_lineno
    return entries


def write_messages(entries: list[tuple[str | None, str, dict[str, str]]], out: Path) -> list[Path]:
    languages = list(dict.fromkeys(language for _, _, texts in entries for language in texts))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for language in languages:
        parts = [HEADER.format(language=language)]
        for comment, key, texts in entries:
            if comment:
                parts.append(f"\n# {comment}\n")
            if language not in texts:
                raise KeyError(f"label {key!r} has no {language!r} text")
            parts.append(
                yaml.safe_dump({key: texts[language]}, allow_unicode=True, width=100, sort_keys=False)
            )
        path = out / f"{language}.yml"
        path.write_text("".join(parts), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    source, out = (argv or sys.argv[1:])[:2]
    for path in write_messages(read_table(Path(source)), Path(out)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
