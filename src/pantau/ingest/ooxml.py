"""The parts of an .xlsx package that python-calamine does not give: where the parts are, each
cell's number format, and the text of formula errors.

calamine reads the values (fast, in Rust); what a value looks like in Excel also depends on the
cell's number format (`s` attribute -> styles.xml cellXfs -> numFmt), and an error cell
(`t="e"`, `#N/A`) reads as empty there. This module finds those few cells with one C-level regex
pass over the sheet's XML, so a workbook without them costs one decompression, not a second parse.

Part names follow the package's relationships (`_rels/.rels` -> workbook -> sheets, styles), not
fixed paths, and tolerate backslashes: workbooks that Excel and calamine open are read here too.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from xml.etree import ElementTree

from pantau.ingest import numfmt

OFFICE_DOCUMENT = "/officeDocument"  # relationship type suffix (transitional and strict)
WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
CHUNK = 8 * 1024 * 1024
CELL_REF = re.compile(rb'\br="([A-Za-z]+)(\d+)"')
ROW_REF = re.compile(rb'\br="(\d+)"')
STYLE = re.compile(rb'\ss="(\d+)"')
ERROR_TYPE = re.compile(rb'\st="e"')
VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</")
CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?(/?)>")
WHITESPACE = b" \t\r\n"
ERROR_LITERAL = b't="e"'
CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
ANY_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*)>")


@dataclass
class Package:
    """Where the workbook's parts are, by the names the zip actually uses."""

    names: dict[str, str]  # normalised part name ("xl/workbook.xml") -> name in the zip
    workbook: str
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> part
    styles: str | None = None
    date1904: bool = False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: ElementTree.Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _normalise(name: str) -> str:
    return name.replace("\\", "/").lstrip("/")


def _rels_of(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of each relationship of `part` (targets resolved to part names)."""
    folder, base = posixpath.split(part)
    rels = names.get(posixpath.join(folder, "_rels", base + ".rels"))
    if rels is None:
        return []
    out = []
    for rel in ElementTree.fromstring(archive.read(rels)):
        target = _normalise_target(rel.get("Target", ""), folder)
        out.append((rel.get("Id", ""), rel.get("Type", ""), target))
    return out


def _normalise_target(target: str, folder: str) -> str:
    target = target.replace("\\", "/")
    resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(resolved)


def locate(archive: zipfile.ZipFile) -> Package | None:
    """The workbook part and its sheets and styles; None when the zip holds no workbook."""
    names = {_normalise(info.filename): info.filename for info in archive.infolist()}
    workbook = next(
        (target for _, kind, target in _rels_of(archive, names, "") if kind.endswith(OFFICE_DOCUMENT)),
        None,
    )
    if workbook not in names:
        workbook = _from_content_types(archive, names) or (
            "xl/workbook.xml" if "xl/workbook.xml" in names else None
        )
    if workbook is None:
        return None
    package = Package(names=names, workbook=workbook)
    rels = {rid: (kind, target) for rid, kind, target in _rels_of(archive, names, workbook)}
    package.styles = next((t for k, t in rels.values() if k.endswith("/styles") and t in names), None)
    try:
        root = ElementTree.fromstring(archive.read(names[workbook]))
    except ElementTree.ParseError:
        return package  # calamine will say what is wrong with it
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "workbookPr":
            package.date1904 = (_attr(element, "date1904") or "").lower() in ("1", "true")
        elif tag == "sheet":
            target = rels.get(_attr(element, "id") or "", ("", ""))[1]
            if target in names:
                package.sheets[element.get("name", "")] = target
    return package


def _from_content_types(archive: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    types = names.get("[Content_Types].xml")
    if types is None:
        return None
    try:
        root = ElementTree.fromstring(archive.read(types))
    except ElementTree.ParseError:
        return None
    for element in root:
        if _local(element.tag) == "Override" and element.get("ContentType") in WORKBOOK_TYPES:
            part = _normalise(element.get("PartName", ""))
            if part in names:
                return part
    return None


def number_formats(archive: zipfile.ZipFile, package: Package) -> dict[int, str]:
    """Format code of each cell style (cellXfs index) whose format changes how a number reads."""
    if package.styles is None:
        return {}
    try:
        root = ElementTree.fromstring(archive.read(package.names[package.styles]))
    except ElementTree.ParseError:
        return {}
    custom: dict[int, str] = {}
    changing: dict[int, str] = {}
    for element in root.iter():
        if _local(element.tag) == "numFmt":
            try:
                custom[int(element.get("numFmtId", ""))] = element.get("formatCode", "")
            except ValueError:
                continue
    for container in root.iter():
        if _local(container.tag) != "cellXfs":
            continue
        for index, xf in enumerate(x for x in container if _local(x.tag) == "xf"):
            try:
                code = numfmt.builtin_or(int(xf.get("numFmtId", "0")), custom)
            except ValueError:
                continue
            if numfmt.changes_text(code):
                changing[index] = code
    return changing


@cache
def column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index - 1


def special_cells(
    archive: zipfile.ZipFile, part: str, styles: dict[int, str]
) -> dict[int, list[tuple[int, str, str]]]:
    """Cells of the sheet that need more than calamine's value, by 0-based row:
    (column, "error", "#N/A") for formula errors, (column, "format", code) for numbers whose
    number format changes their text.

    Led by the rare literals (`t="e"`, `s="<a changing style>"`), found at C speed; only around
    each occurrence is the enclosing tag read and checked to be a cell (not a row's style)."""
    found: dict[int, list[tuple[int, str, str]]] = {}
    codes = {b's="%d"' % i: code for i, code in styles.items()}
    literals = [ERROR_LITERAL, *codes]
    for text in _chunks(archive, part):
        for literal in literals:
            at = text.find(literal)
            while at >= 0:
                tag = CELL_TAG.match(text, text.rfind(b"<", 0, at))
                if tag and tag.end() > at and text[at - 1] in WHITESPACE and tag[1] != b"/":
                    ref = CELL_REF.search(tag[0])
                    if ref is None:  # positions implied by order: count every cell instead
                        return _special_cells_in_order(archive, part, styles)
                    row, column = int(ref[2]) - 1, column_index(ref[1])
                    if literal is ERROR_LITERAL:
                        _note(found, text, tag.end(), tag[0], row, column, styles)
                    else:  # the literal names the style: no need to read the tag again
                        found.setdefault(row, []).append((column, "format", codes[literal]))
                at = text.find(literal, at + len(literal))
    return found


def _note(found, text: bytes, end: int, attrs: bytes, row: int, column: int, styles) -> None:
    if ERROR_TYPE.search(attrs):
        closing = CELL_END.search(text, end)
        value = VALUE.search(text, end, closing.start() if closing else len(text))
        error = value[1].decode("utf-8", "replace").strip() if value else ""
        found.setdefault(row, []).append((column, "error", error or "#N/A"))
        return
    style = STYLE.search(attrs)
    if style and int(style[1]) in styles:
        found.setdefault(row, []).append((column, "format", styles[int(style[1])]))


def _special_cells_in_order(archive, part: str, styles) -> dict[int, list[tuple[int, str, str]]]:
    """The slow way, for sheets whose cells omit their `r` reference (it is optional)."""
    found: dict[int, list[tuple[int, str, str]]] = {}
    row, column = -1, -1
    for text in _chunks(archive, part):
        for match in ANY_TAG.finditer(text):
            kind, attrs = match[1], match[2]
            if kind == b"row":
                ref = ROW_REF.search(attrs)
                row = int(ref[1]) - 1 if ref else row + 1
                column = -1
                continue
            ref = CELL_REF.search(attrs)
            column = column_index(ref[1]) if ref else column + 1
            if not attrs.endswith(b"/"):
                _note(found, text, match.end(), attrs, row, column, styles)
    return found


def _chunks(archive: zipfile.ZipFile, part: str):
    """The part's bytes in pieces that end after a whole cell (or row), so no tag is cut."""
    carry = b""
    with archive.open(part) as handle:
        while True:
            block = handle.read(CHUNK)
            text = carry + block
            if not block:
                if text:
                    yield text
                return
            cut = text.rfind(b"</row>")
            cut = cut + 6 if cut >= 0 else text.rfind(b"</c>") + 4 if b"</c>" in text else -1
            if cut <= 0:
                carry = text
                continue
            yield text[:cut]
            carry = text[cut:]
