"""Checks of what the pages will show, run by `load` on every file: sizes of texts and
lists, numbers, label templates, QR addresses, and every character against the fonts that
will print it. Kept apart from the loader so that each rule is stated once, here."""

from __future__ import annotations

import functools
import io
import math
import string
import unicodedata
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from .diagnostics import Problem
from .inputs import read_input
from .paths import FONTS
from .render import MAX_ASSET_BYTES as MAX_FONT_BYTES

MAX_TEXT = 5_000  # characters in one field: a long paragraph is 1,500
MAX_ITEMS = 200  # entries in one list: a real sheet has a dozen blocks, a legend seven
# Characters of text in one sheet: the longest shipped sheet has 9,832 (four A4 pages); the
# limit is about 25 pages, and keeps a hostile file's layout to seconds, not minutes.
MAX_SHEET_TEXT = 60_000
# Legend entries that fit on one page with the figures (warning beyond). Measured with
# layouts/drawing: 24 entries beside two drawings fill the first page of a sheet; with 28 the
# whole figure block moves on, leaving the pages before it holding a heading alone.
MAX_LEGEND = 24
# 57 modules: the most a code printed geometry.QR_SIZE (22 mm) wide holds and still scans
QR_MAX_VERSION = 10

# Templates among the labels, with the fields they must name.
TEMPLATES = {("labels", "sheet"): {"number", "count"}}
# Fields that name files or codes of the tool and are never printed as text.
NOT_PRINTED = {"drawing", "image", "highlight", "target", "language", "output", "sheets"}
# Every text is set in a stack that ends with these two (layouts/drawing/page.css: --text,
# --lettering): a character neither has would come from a system font, or print as a box.
TEXT_FONTS = ("EBGaramond12-Regular.otf", "DejaVuSans.ttf")
# Invisible characters the shaper handles without a glyph: soft hyphen, zero-width space,
# non-joiner, joiner, word joiner, zero-width no-break space (a byte-order mark pasted in).
# Any other format character is refused.
SHAPING = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
# Characters that reorder text (a digit string can print backwards): never in a sheet.
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
WHITESPACE = set("\t\n\r")  # folded into spaces when typeset
# Combining marks stacked on one letter: Vietnamese stacks two, three covers every language
# these fonts set; more climb into the lines above (a "zalgo" text reaches the page's top).
MAX_STACKED_MARKS = 3


@functools.cache
def printable() -> frozenset[int]:
    """Code points the vendored text fonts have a glyph for."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for name in TEXT_FONTS:
        data = read_input(FONTS / name, FONTS, MAX_FONT_BYTES)
        with TTFont(io.BytesIO(data), lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    shown = repr(char) if unicodedata.category(char)[0] in "CZ" else f"`{char}`"
    return f"{shown} (U+{ord(char):04X}{' ' + name if name else ''})"


def text_problem(text: str) -> str | None:
    """Why a text cannot be printed as typed, or None."""
    if len(text) > MAX_TEXT:
        return f"text of {len(text):,} characters, over the {MAX_TEXT:,} a field may hold"
    glyphs = printable()
    visible = False
    stacked = 0
    for position, char in enumerate(text, 1):
        category = unicodedata.category(char)
        where = f"character {position}"
        stacked = stacked + 1 if category[0] == "M" else 0
        if stacked > MAX_STACKED_MARKS:
            return (f"more than {MAX_STACKED_MARKS} combining marks stacked on one letter at "
                    f"{where}: they would climb into the lines above")
        if char in WHITESPACE:
            continue
        if category == "Cc":
            return f"control character {_describe(char)} at {where}: it does not print"
        if char in BIDI:
            return f"direction control {_describe(char)} at {where}: it reorders the text"
        if char in SHAPING:
            continue
        if category in ("Cf", "Zl", "Zp"):  # a line separator, an annotation anchor
            return (f"invisible format character {_describe(char)} at {where}: it does not "
                    "print (a box at best)")
        if ord(char) not in glyphs:
            return (f"character {_describe(char)} at {where} is in none of the fonts "
                    f"({', '.join(TEXT_FONTS)}): it would print as a box or in another font")
        visible = visible or not char.isspace()
    if not visible and text:
        return "text holds no visible character: it would print blank"
    return None


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """Every leaf value of a validated model, with its data path."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in NOT_PRINTED:
                yield from _strings(getattr(value, name), (*path, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
    else:
        yield path, value


def check_sizes(doc) -> list[Problem]:
    """Lists too long to be a sheet, on the raw data: before the model is built from them."""
    problems = []
    stack = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, list):
            if len(value) > MAX_ITEMS:
                problems.append(doc.problem(path, f"list of {len(value):,} entries, over the "
                                            f"{MAX_ITEMS} a sheet may hold"))
                continue
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
    return problems


def check_model(doc, model: BaseModel) -> list[Problem]:
    """Every printed text and every number of a validated file."""
    problems = []
    for path, value in _strings(model, ()):
        if isinstance(value, str):
            reason = text_problem(value)
            if reason:
                problems.append(doc.problem(path, reason))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(doc.problem(path, f"expected a finite number, found {value}"))
    return problems


def template_problem(text: str, fields: set[str]) -> str | None:
    """Why a label template cannot be filled in safely, or None."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as error:
        return f"template `{text}`: {error} (write {{{{ and }}}} for braces)"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in fields:
            known = ", ".join(f"{{{f}}}" for f in sorted(fields))
            return f"template names `{{{name}}}`, which is not one of {known}"
        if spec or conversion:
            return f"template field `{{{name}}}` takes no format (`{{{name}}}` alone)"
    missing = fields - {name for _, name, _, _ in parts}
    if missing:  # "Sheet 02 OF 07": a page says where it stands
        return (f"template `{text}` must name {' and '.join(f'{{{f}}}' for f in sorted(fields))}"
                f" (it lacks {', '.join(f'{{{f}}}' for f in sorted(missing))})")
    return None


def check_templates(doc, publication) -> list[Problem]:
    problems = []
    for path, fields in TEMPLATES.items():
        value: Any = publication
        for name in path:
            value = getattr(value, name)
        reason = template_problem(value, fields)
        if reason:
            problems.append(doc.problem(path, reason))
    return problems


def qr_problem(address: str) -> str | None:
    import segno

    try:
        version = segno.make(address, error="m").version
    except segno.DataOverflowError:
        version = None
    if version is None or version > QR_MAX_VERSION:
        return (f"address of {len(address)} characters is too long for a QR code that can "
                f"be scanned at its printed size (QR version {QR_MAX_VERSION} at most)")
    return None


def check_sheet(doc, sheet) -> list[Problem]:
    """What a sheet adds to the checks of every file: its length, QR addresses, legend
    length, challenge numbers."""
    problems = []
    total = sum(len(value) for _, value in _strings(sheet, ()) if isinstance(value, str))
    if total > MAX_SHEET_TEXT:
        problems.append(doc.problem((), f"{total:,} characters of text, over the "
                                        f"{MAX_SHEET_TEXT:,} a sheet may hold (about 25 A4 "
                                        "pages): split it into sheets"))
    if sheet.sections.testimonials:
        for i, item in enumerate(sheet.sections.testimonials.items):
            reason = item.video and qr_problem(item.video)
            if reason:
                problems.append(doc.problem(
                    ("sections", "testimonials", "items", i, "video"), reason))
    if len(sheet.legend) > MAX_LEGEND:
        problems.append(doc.problem(
            ("legend",), f"legend of {len(sheet.legend)} entries does not fit beside its "
            f"drawing on one page (at most {MAX_LEGEND})", "warning"))
    numbered: dict[int, int] = {}  # a challenge's number: the first item that gives it
    for i, item in enumerate(sheet.sections.challenges.items):
        if item.number is not None and numbered.setdefault(item.number, i) != i:
            problems.append(doc.problem(
                ("sections", "challenges", "items", i, "number"),
                f"challenge number {item.number} is also that of items[{numbered[item.number]}]"
                ": two challenges would print the same number"))
    return problems


def check_callouts(doc, figure, box: tuple[float, ...], where: tuple) -> list[Problem]:
    """Each callout's point and code inside the drawing: outside, they would be cut off."""
    x, y, width, height = box
    problems = []
    for i, callout in enumerate(figure.callouts):
        for name in ("at", "text_at"):
            px, py = getattr(callout, name)
            if not (math.isfinite(px) and math.isfinite(py)):
                continue  # reported as not finite
            if not (x <= px <= x + width and y <= py <= y + height):
                problems.append(doc.problem(
                    (*where, "callouts", i, name),
                    f"[{px:g}, {py:g}] lies outside the drawing: callouts are in its own units, "
                    f"x from {x:g} to {x + width:g} and y from {y:g} to {y + height:g} "
                    f"(the viewBox of {figure.drawing.rsplit('/', 1)[-1]})"))
    return problems
