"""A number as Excel shows it under a cell's number format (ECMA-376 Part 1, 18.8.30-31).

A workbook stores numbers, not the text people see: a KBLI code `01111` typed as a number and
formatted `00000` is stored as 1111, a share shown as `23.31` may be stored as
23.310000000000002, `12.5%` as 0.125. The readers load what the agency sees, so this renders the
stored number with its format. No maintained Python library renders Excel number formats
(openpyxl reads the codes but does not apply them), hence this small renderer of the parts agency
workbooks use: sections (`pos;neg;zero;text` and `[>=100]` conditions), `0 # ?` digit
placeholders, decimals, thousands separators and scaling commas, percent, scientific notation,
quoted and escaped literals, `[$Rp-421]` currency tags.

Decisions (the same text whatever the reader's Windows locale, as format codes are stored):
- the decimal point is `.` and the thousands separator `,`, as the code is written;
- layout-only codes produce nothing: `_x` (space as wide as x), `*x` (fill), `[Red]` (colour),
  `?` (a digit or an aligning space: read as `#`);
- values are rounded as Excel does: to its 15 significant digits first, then half away from zero;
- fractions (`# ?/?`) and anything this does not understand fall back to General;
- dates and times are not rendered here: the reader writes a date cell as an ISO date, whatever
  its format shows (`01/03/2025` or `3/1/2025` are the same day only to someone who knows the
  format; `2025-03-01` is that day to everyone), see `is_date_format`.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

# Built-in formats by numFmtId (ECMA-376 18.8.30). 5-8 are currency in the file's locale: their
# symbol is unknown, so the number is shown without it. 27-36 and 50-58 are East Asian dates.
BUILTIN = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: "#,##0;-#,##0",
    6: "#,##0;-#,##0",
    7: "#,##0.00;-#,##0.00",
    8: "#,##0.00;-#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    41: '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* (#,##0);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_);_("$"* (#,##0.00);_("$"* "-"??_);_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
    **{i: "yyyy-mm-dd" for i in [*range(27, 37), *range(50, 59)]},
}
TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"?'  # "literal text"
    r"|\\(?P<escaped>.)"  # \x
    r"|_(?P<pad>.)"  # space as wide as x
    r"|\*(?P<fill>.)"  # repeat x to fill the cell
    r"|\[(?P<bracket>[^\]]*)\]"  # [Red], [>=100], [$Rp-421], [h]
    r"|(?P<exp>[Ee][+-])"
    r"|(?P<general>General)"
    r"|(?P<char>.)",
    re.DOTALL | re.IGNORECASE,
)
CONDITION = re.compile(r"(<=|>=|<>|<|>|=)\s*(-?[\d.]+)")
DATE_CHARS = re.compile(r"[yYmMdDhHsS]|AM/PM|A/P|am/pm|a/p")


def builtin_or(num_fmt_id: int, custom: dict[int, str]) -> str:
    """The format code of a numFmtId: the workbook's own, else the built-in, else General."""
    return custom.get(num_fmt_id) or BUILTIN.get(num_fmt_id, "General")


@cache
def is_date_format(code: str) -> bool:
    """Does this code show a date or time (y, m, d, h, s outside literals and brackets)?"""
    plain = []
    for match in TOKEN.finditer(code):
        if match["char"]:
            plain.append(match["char"])
        elif match["bracket"] and match["bracket"].lower().strip("hms") == "":
            return True  # [h], [mm], [ss]: elapsed time
    return bool(DATE_CHARS.search("".join(plain)))


def changes_text(code: str) -> bool:
    """Does this format show a number differently from General (so the reader must render it)?"""
    stripped = code.strip()
    return stripped.lower() not in ("general", "@", "") and not is_date_format(code)


def general(value: float) -> str:
    """General format: integers as such, other numbers to Excel's 15 significant digits."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if -10 < int(exponent) < 0:
        return format(Decimal(text), "f")
    return f"{mantissa}E{int(exponent):+03d}".upper()


def render(value: float, code: str) -> str:
    """`value` as Excel shows it with number format `code` (see the module's decisions)."""
    if isinstance(value, bool) or not math.isfinite(value):
        return general(value)
    width = _zero_padding(code)
    if width and value >= 0 and float(value).is_integer():
        return f"{int(value):0{width}d}"  # the common case: codes and ids kept with leading zeros
    section, negative_sign = _pick_section(_sections(code), value)
    if section is None:
        return general(value)
    try:
        text = _render_section(abs(value) if not negative_sign else value, section)
    except _Unsupported:
        return general(value)
    return text


@cache
def _zero_padding(code: str) -> int:
    """The width of a code made of zeros only (`00000`), else 0."""
    return len(code) if code and set(code) == {"0"} else 0


class _Unsupported(Exception):
    pass


@cache
def _sections(code: str) -> tuple[tuple[str | None, tuple], ...]:
    """Split a code on `;` outside literals; each section as (condition, tokens)."""
    sections: list[tuple[str | None, list]] = [(None, [])]
    for match in TOKEN.finditer(code):
        kind = match.lastgroup
        if kind == "char" and match["char"] == ";":
            sections.append((None, []))
            continue
        _condition, tokens = sections[-1]
        if kind == "bracket" and CONDITION.fullmatch(match["bracket"].strip()):
            sections[-1] = (match["bracket"].strip(), tokens)
            continue
        tokens.append((kind, match[kind]))
    return tuple((cond, tuple(tokens)) for cond, tokens in sections)


def _holds(condition: str, value: float) -> bool:
    op, number = CONDITION.fullmatch(condition).groups()
    limit = float(number)
    return {
        "<": value < limit,
        "<=": value <= limit,
        ">": value > limit,
        ">=": value >= limit,
        "=": value == limit,
        "<>": value != limit,
    }[op]


def _pick_section(sections, value: float) -> tuple[tuple | None, bool]:
    """The section that formats `value`, and whether the minus sign is shown (no negative section)."""
    numeric = sections[:3]  # a fourth section is for text
    if any(cond for cond, _ in numeric):
        for cond, tokens in numeric:
            if cond is None or _holds(cond, value):
                return tokens, value < 0 and cond is None
        return None, False
    if len(numeric) == 1:
        return numeric[0][1], value < 0
    if value < 0:
        return numeric[1][1], False
    if value == 0 and len(numeric) >= 3:
        return numeric[2][1], False
    return numeric[0][1], False


def _render_section(value: float, tokens: tuple) -> str:
    if any(kind == "general" for kind, _ in tokens):
        return "".join(general(value) if kind == "general" else _literal(kind, text) for kind, text in tokens)
    chars = [text for kind, text in tokens if kind == "char"]
    if "/" in chars and any(c in "0#?" for c in chars):
        raise _Unsupported  # fractions
    if not any(c in "0#?" for c in chars):
        # No digit placeholder: the section is literal text (`"-"` for zero in accounting formats).
        # `@` in a number's section shows the number as General.
        return "".join(
            general(value) if (kind, text) == ("char", "@") else _literal(kind, text) for kind, text in tokens
        )
    percent = chars.count("%")
    number = Decimal(f"{value:.15g}") * (100**percent)
    exp_at = next((i for i, (kind, _) in enumerate(tokens) if kind == "exp"), None)
    if exp_at is not None:
        return _scientific(number, tokens, exp_at)
    int_tokens, frac_tokens, point = _split_point(tokens)
    # Commas right after the last integer placeholder scale by 1000 each; others group thousands.
    int_tokens, scale = _scaling_commas(int_tokens)
    number /= Decimal(1000) ** scale
    grouping = any(kind == "char" and text == "," for kind, text in int_tokens)
    decimals = sum(1 for kind, text in frac_tokens if kind == "char" and text in "0#?")
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    negative = rounded < 0
    int_digits, _, frac_digits = f"{abs(rounded):f}".partition(".")
    int_digits = "" if int_digits == "0" else int_digits
    text = _fill_integer(int_digits, int_tokens, grouping)
    if point:
        text += "." + _fill_fraction(frac_digits, frac_tokens)
    elif frac_tokens:
        text += "".join(_literal(kind, t) for kind, t in frac_tokens)
    return ("-" if negative else "") + text


def _split_point(tokens: tuple) -> tuple[list, list, bool]:
    for i, (kind, text) in enumerate(tokens):
        if kind == "char" and text == ".":
            return list(tokens[:i]), list(tokens[i + 1 :]), True
    return list(tokens), [], False


def _scaling_commas(int_tokens: list) -> tuple[list, int]:
    last = max((i for i, (k, t) in enumerate(int_tokens) if k == "char" and t in "0#?"), default=-1)
    scale = 0
    i = last + 1
    while i < len(int_tokens) and int_tokens[i] == ("char", ","):
        scale += 1
        i += 1
    return int_tokens[: last + 1] + int_tokens[i:], scale


def _fill_integer(digits: str, tokens: list, grouping: bool) -> str:
    placeholders = [i for i, (kind, text) in enumerate(tokens) if kind == "char" and text in "0#?"]
    if grouping:
        zeros = sum(1 for i in placeholders if tokens[i][1] == "0")
        padded = digits.rjust(zeros, "0")
        first = placeholders[0]
        out = [_literal(k, t) for k, t in tokens[:first]]
        out.append(_group(padded) if padded else "")
        out += [_literal(k, t) for k, t in tokens[first:] if not (k == "char" and t in "0#?,")]
        return "".join(out)
    out = [""] * len(tokens)
    remaining = digits
    for n, i in enumerate(reversed(placeholders)):
        placeholder = tokens[i][1]
        if n == len(placeholders) - 1:
            out[i] = remaining or ("0" if placeholder == "0" else "")
            remaining = ""
        elif remaining:
            out[i], remaining = remaining[-1], remaining[:-1]
        else:
            out[i] = "0" if placeholder == "0" else ""
    for i, (kind, text) in enumerate(tokens):
        if i not in placeholders:
            out[i] = "" if kind == "char" and text == "," else _literal(kind, text)
    return "".join(out)


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ",".join(parts)


def _fill_fraction(digits: str, tokens: list) -> str:
    placeholders = [i for i, (kind, text) in enumerate(tokens) if kind == "char" and text in "0#?"]
    # Optional placeholders (#, ?) drop trailing zeros; required ones (0) keep them.
    keep = len(digits)
    for n in range(len(placeholders) - 1, -1, -1):
        if tokens[placeholders[n]][1] != "0" and keep == n + 1 and digits[n] == "0":
            keep = n
    out = []
    n = 0
    for kind, text in tokens:
        if kind == "char" and text in "0#?":
            out.append(digits[n] if n < keep else "")
            n += 1
        else:
            out.append(_literal(kind, text))
    return "".join(out)


def _scientific(number: Decimal, tokens: tuple, exp_at: int) -> str:
    mantissa_tokens = list(tokens[:exp_at])
    exp_tokens = [t for k, t in tokens[exp_at + 1 :] if k == "char" and t in "0#?"]
    sign_shown = tokens[exp_at][1][1] == "+"
    int_tokens, frac_tokens, point = _split_point(tuple(mantissa_tokens))
    int_places = sum(1 for k, t in int_tokens if k == "char" and t in "0#?") or 1
    decimals = sum(1 for k, t in frac_tokens if k == "char" and t in "0#?")
    limit = Decimal(10) ** int_places
    if number == 0:
        exponent = 0
    else:
        magnitude = abs(number).adjusted()
        engineering = any(k == "char" and t == "#" for k, t in int_tokens) and int_places > 1
        exponent = (magnitude // int_places) * int_places if engineering else magnitude - (int_places - 1)
    mantissa = (number / Decimal(10) ** exponent).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    if abs(mantissa) >= limit:
        exponent += 1
        mantissa = (number / Decimal(10) ** exponent).quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
        )
    int_digits, _, frac_digits = f"{abs(mantissa):f}".partition(".")
    text = _fill_integer("" if int_digits == "0" else int_digits, int_tokens, False)
    if point:
        text += "." + _fill_fraction(frac_digits, frac_tokens)
    exp_text = str(abs(exponent)).rjust(len(exp_tokens) or 1, "0")
    exp_sign = "-" if exponent < 0 else ("+" if sign_shown else "")
    return ("-" if mantissa < 0 else "") + text + "E" + exp_sign + exp_text


def _literal(kind: str, text: str) -> str:
    if kind in ("quoted", "escaped"):
        return text
    if kind == "bracket":
        # [$Rp-421]: a currency symbol (before the '-' and locale id); [Red], [$-421]: nothing.
        if text.startswith("$"):
            return text[1:].split("-", 1)[0]
        return ""
    if kind in ("pad", "fill", "exp"):
        return ""
    if kind == "char":
        return "" if text == "@" else text
    return text
