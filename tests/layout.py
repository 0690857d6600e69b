"""A layout check that measures the drawing-sheet rules on the PDF itself.

Glyph boxes, rules and marks are read back from the file with pdfplumber and compared with
the geometry the layout was meant to have (transfo_print/geometry.py). Every function
returns a list of faults, each saying page and what was found, so a test can show them all.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

from transfo_print import geometry
from transfo_print.geometry import Paper

MM = 72 / 25.4  # PDF points per millimetre
AUTO_HYPHEN = "\u2010"  # what the layout engine prints where it hyphenates a word


@dataclass(frozen=True)
class Glyph:
    text: str
    font: str
    size: float  # pt
    x0: float  # mm, from the page's top left corner
    x1: float
    top: float  # the visible glyph, approximately: from cap height to descender
    bottom: float
    baseline: float
    mcid: int | None = None  # the marked content it is in (tagging), on its page


@dataclass(frozen=True)
class Rule:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.x1 - self.x0 >= self.bottom - self.top


@dataclass
class Page:
    number: int  # 1-based, in its file
    glyphs: list[Glyph]
    rules: list[Rule]  # CSS borders (filled thin rectangles) on the page
    marks: list[Rule]  # furniture and drawings: stroked lines longer than a tick
    areas: list[Rule]  # other filled rectangles: a box's borders drawn as one shape


def read(pdf: Path) -> list[Page]:
    """The pages of `pdf` as measured; read once per file as it is (several tests measure
    the same booklets, and reading a page costs more than measuring it)."""
    status = Path(pdf).stat()
    return list(_read(Path(pdf).resolve(), status.st_mtime_ns, status.st_size))


@functools.lru_cache(maxsize=64)
def _read(pdf: Path, mtime_ns: int, size: int) -> tuple[Page, ...]:
    pages = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, 1):
            # The crop box is the trimmed page: with bleed, the media box is larger.
            dx, dy = float(page.cropbox[0]), float(page.cropbox[1])
            glyphs = []
            for c in page.chars:
                if not c["text"].strip():
                    continue
                size = c["size"]
                # pdfplumber's box is one em tall from the descender: keep what ink there is
                # (cap height to descender) so that a glyph near a rule is not over-counted.
                glyphs.append(Glyph(
                    c["text"], c["fontname"].split("+")[-1], size,
                    (c["x0"] - dx) / MM, (c["x1"] - dx) / MM,
                    (c["top"] - dy + 0.22 * size) / MM, (c["bottom"] - dy - 0.02 * size) / MM,
                    (c["bottom"] - dy - 0.2 * size) / MM, c.get("mcid")))
            rules, marks, areas = [], [], []
            for r in page.rects:
                box = Rule((r["x0"] - dx) / MM, (r["top"] - dy) / MM,
                           (r["x1"] - dx) / MM, (r["bottom"] - dy) / MM)
                thin = min(box.x1 - box.x0, box.bottom - box.top)
                long = max(box.x1 - box.x0, box.bottom - box.top)
                # A pattern fill is a row of leader dots, not a rule.
                solid = r["fill"] and not isinstance(r["non_stroking_color"], str)
                if solid and thin < 1 and long > 4:
                    rules.append(box)
                elif solid:
                    areas.append(box)
                elif r["stroke"] and not r["fill"]:
                    w = (r.get("linewidth") or 0) / MM / 2
                    marks += [Rule(box.x0 - w, box.top - w, box.x1 + w, box.top + w),
                              Rule(box.x0 - w, box.bottom - w, box.x1 + w, box.bottom + w),
                              Rule(box.x0 - w, box.top - w, box.x0 + w, box.bottom + w),
                              Rule(box.x1 - w, box.top - w, box.x1 + w, box.bottom + w)]
            for line in page.lines:
                w = (line.get("linewidth") or 0) / MM / 2
                x0, x1 = sorted(((line["x0"] - dx) / MM, (line["x1"] - dx) / MM))
                top, bottom = (line["top"] - dy) / MM, (line["bottom"] - dy) / MM
                if max(x1 - x0, bottom - top) > 4:
                    marks.append(Rule(x0 - w, top - w, x1 + w, bottom + w))
            pages.append(Page(number, glyphs, rules, marks, areas))
    return tuple(pages)


def _overlap(a, b, gap: float = 0.0) -> bool:
    return (a.x0 < b.x1 + gap and b.x0 < a.x1 + gap
            and a.top < b.bottom + gap and b.top < a.bottom + gap)


def _is_zone_label(g: Glyph, paper: Paper) -> bool:
    fx, fy, fw, fh = paper.frame
    strip = geometry.ZONE_STRIP
    in_strip = (fx - strip - 0.5 <= g.x0 and g.x1 <= fx + fw + strip + 0.5
                and fy - strip - 0.5 <= g.top and g.bottom <= fy + fh + strip + 0.5)
    return in_strip and abs(g.size - geometry.ZONE_LABEL_PT) < 0.1


# --- the frame ---------------------------------------------------------------------------


def title_block_faults(page: Page, paper: Paper, tolerance: float = 0.3) -> list[str]:
    """The title block's outline: its size and place, to `tolerance` mm."""
    x, y, w, h = paper.title_block
    half = geometry.FRAME_LINE / 2
    # The block's outline is drawn on its edges: find the four sides among the marks.
    found = [m for m in page.marks
             if abs(m.x0 + half - x) < 2 and abs(m.top + half - y) < 2
             and abs(m.x1 - half - (x + w)) < 2 and abs(m.bottom - m.top - 2 * half) < 0.2]
    if not found:
        return [f"page {page.number}: no title block outline at ({x:.1f}, {y:.1f}) mm"]
    top = found[0]
    bottoms = [m for m in page.marks if abs(m.x0 - top.x0) < 0.2 and abs(m.x1 - top.x1) < 0.2
               and m.top > top.top + 5]
    faults = []
    width = top.x1 - top.x0 - 2 * half
    if abs(width - w) > tolerance:
        faults.append(f"page {page.number}: title block {width:.2f} mm wide, not {w}")
    if not bottoms:
        faults.append(f"page {page.number}: title block has no bottom edge")
    else:
        depth = bottoms[0].top - top.top
        if abs(depth - h) > tolerance:
            faults.append(f"page {page.number}: title block {depth:.2f} mm deep, not {h}")
    return faults


def containment_faults(page: Page, paper: Paper) -> list[str]:
    """No glyph outside the frame, except the zone labels in their strip."""
    fx, fy, fw, fh = paper.frame
    faults = []
    for g in page.glyphs:
        inside = fx <= g.x0 and g.x1 <= fx + fw and fy <= g.top and g.bottom <= fy + fh
        if not inside and not _is_zone_label(g, paper):
            faults.append(f"page {page.number}: {g.text!r} at ({g.x0:.1f}, {g.top:.1f}) mm "
                          "is outside the frame")
    return faults


def _furniture_rules(paper: Paper) -> list[Rule]:
    """The rules the layout draws on every page: frame, zone strip, band, title block."""
    fx, fy, fw, fh = paper.frame
    t = geometry.THIN_LINE / 2
    rules = []

    def hline(x0, x1, y, half):
        rules.append(Rule(x0, y - half, x1, y + half))

    def vline(x, y0, y1, half):
        rules.append(Rule(x - half, y0, x + half, y1))

    f = geometry.FRAME_LINE / 2
    hline(fx, fx + fw, fy, f)
    hline(fx, fx + fw, fy + fh, f)
    vline(fx, fy, fy + fh, f)
    vline(fx + fw, fy, fy + fh, f)
    hline(fx, fx + fw, fy + geometry.TICKER_DEPTH, geometry.HAIR_LINE / 2)
    hline(fx, fx + fw, fy + geometry.BAND_DEPTH, t)
    tx, ty, tw, _ = paper.title_block
    for x1, y1, x2, y2 in paper.title_block_spec.rules():
        rules.append(Rule(tx + x1 - t, ty + y1 - t, tx + x2 + t, ty + y2 + t))
    hline(tx, tx + tw, ty, f)
    return rules


def collision_faults(page: Page, paper: Paper) -> list[str]:
    """No glyph touches or crosses a rule: the furniture's, or a CSS border's."""
    rules = _furniture_rules(paper) + page.rules
    by_row = defaultdict(list)  # rules by the millimetre rows they cover, to compare few
    for rule in rules:
        for row in range(int(rule.top) - 1, int(rule.bottom) + 2):
            by_row[row].append(rule)
    faults = []
    for g in page.glyphs:
        if _is_zone_label(g, paper):
            continue
        near = {id(r): r for row in range(int(g.top), int(g.bottom) + 1) for r in by_row[row]}
        for rule in near.values():
            if _overlap(g, rule):
                faults.append(f"page {page.number}: {g.text!r} at ({g.x0:.1f}, {g.top:.1f}) mm "
                              f"touches a rule at ({rule.x0:.1f}, {rule.top:.1f}) mm")
                break
    return faults


def centring_mark_faults(page: Page, paper: Paper) -> list[str]:
    """Text keeps the clearance from every centring mark."""
    fx, fy, fw, fh = paper.frame
    cx, cy = paper.centre
    reach = geometry.CENTRING_REACH
    half = geometry.FRAME_LINE / 2
    marks = [Rule(cx - half, 0, cx + half, fy + reach),
             Rule(0, cy - half, fx + reach, cy + half),
             Rule(fx + fw - reach, cy - half, paper.width, cy + half),
             Rule(cx - half, fy + fh, cx + half, paper.height)]
    clearance = geometry.CLEARANCE
    faults = []
    for g in page.glyphs:
        for mark in marks:
            if _overlap(g, mark, clearance - 0.05):
                faults.append(f"page {page.number}: {g.text!r} at ({g.x0:.1f}, {g.top:.1f}) mm "
                              f"within {clearance} mm of a centring mark")
    return faults


def centring_axis_faults(page: Page, paper: Paper, tolerance: float = 0.1) -> list[str]:
    """The centring marks as drawn: heavy lines from the page's edges into the frame, on
    the trimmed sheet's axes of symmetry (ISO 5457), whatever the filing margin."""
    fx, fy, fw, fh = paper.frame
    heavy = [m for m in page.marks
             if abs(min(m.x1 - m.x0, m.bottom - m.top) - geometry.FRAME_LINE) < 0.05]
    from_top = [m for m in heavy if not m.horizontal and m.top < 0.5 and m.bottom > fy]
    from_left = [m for m in heavy if m.horizontal and m.x0 < 0.5 and m.x1 > fx]
    if not from_top or not from_left:
        return [f"page {page.number}: no centring mark from the top or the left edge"]
    faults = []
    for mark in from_top:
        if abs((mark.x0 + mark.x1) / 2 - paper.width / 2) > tolerance:
            faults.append(f"page {page.number}: a centring mark at x = "
                          f"{(mark.x0 + mark.x1) / 2:.2f} mm, not {paper.width / 2:g}")
    for mark in from_left:
        if abs((mark.top + mark.bottom) / 2 - paper.height / 2) > tolerance:
            faults.append(f"page {page.number}: a centring mark at y = "
                          f"{(mark.top + mark.bottom) / 2:.2f} mm, not {paper.height / 2:g}")
    return faults


def text_top_faults(page: Page, paper: Paper, tolerance: float = 0.3) -> list[str]:
    """A page that opens on a part's heavy rule (the top of its heading's borders) has it
    at the text area's top, as a page that opens on text has its first line: the heading's
    margin is truncated at the page break."""
    bx, by, bw, bh = paper.body
    inside = [box for box in page.glyphs + page.rules + page.areas
              if by - 1 <= box.top <= by + bh and bx - 1 <= box.x0 and box.x1 <= bx + bw + 1]
    if not inside:
        return []
    first = min(inside, key=lambda box: box.top)
    opens_on_rule = not isinstance(first, Glyph) and first.x1 - first.x0 >= 0.9 * bw
    if opens_on_rule and abs(first.top - by) > tolerance:
        return [f"page {page.number}: the page opens on a rule {first.top - by:+.1f} mm "
                f"from the text area's top"]
    return []


def column_start_faults(page: Page, paper: Paper, tolerance: float = 1.0) -> list[str]:
    """The columns of a part start level: beside each column rule, the first thing set in
    the column on either side (a line's glyphs, a box's border) starts at one height. A
    heading at a column's top kept its top margin and stood 3 mm under the line beside it.
    (The tolerance is what the faces' ascents make of two lines whose boxes start level.)"""
    bx, by, bw, bh = paper.body
    step = paper.column_width + paper.column_gap
    gaps = [bx + k * step - paper.column_gap / 2 for k in range(1, paper.columns)]
    faults = []
    for rule in page.rules:
        middle = (rule.x0 + rule.x1) / 2
        if rule.horizontal or not any(abs(middle - gap) < 0.3 for gap in gaps):
            continue
        ink = [box for box in page.glyphs + page.areas
               + [other for other in page.rules if other.horizontal]
               if rule.top - 0.5 <= box.top <= rule.bottom
               and box.x1 - box.x0 < paper.column_width + 1]
        left = [box.top for box in ink if middle - step < box.x0 and box.x1 <= middle]
        right = [box.top for box in ink if middle <= box.x0 and box.x1 < middle + step]
        fault = (f"page {page.number}: the columns either side of the rule at "
                 f"{middle:.0f} mm start {min(left, default=0):.1f} and "
                 f"{min(right, default=0):.1f} mm from the top")
        if left and right and abs(min(left) - min(right)) > tolerance \
                and fault not in faults:
            faults.append(fault)
    return faults


def part_head_faults(page: Page, paper: Paper, least_gap: float = 3.0) -> list[str]:
    """In a part's heading row, the heading and its date and number stand apart, or on two
    lines: where both just fitted one line they had touched."""
    bx, by, bw, bh = paper.body
    faults = []
    for row in page.areas:
        if row.x1 - row.x0 < 0.9 * bw or row.bottom - row.top > 15:
            continue
        # the heading row is all lettering (a challenge's box, as wide on one column, is not)
        inside = [g for g in page.glyphs if row.top <= g.top and g.bottom <= row.bottom
                  and row.x0 <= g.x0 and g.x1 <= row.x1]
        if any("Garamond" in g.font for g in inside):
            continue
        if not inside:
            continue
        heading = max(g.size for g in inside)
        for line in glyph_rows(inside):
            for before, after in zip(line, line[1:], strict=False):
                fault = (f"page {page.number}: a part's heading and its date touch "
                         f"({after.x0 - before.x1:.1f} mm apart) at {row.top:.0f} mm")
                if before.size == heading and after.size < heading \
                        and after.x0 - before.x1 < least_gap and fault not in faults:
                    faults.append(fault)
    return faults


def glyph_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs in rows that share a baseline (within 1 mm), top to bottom, each left to
    right."""
    rows: list[list[Glyph]] = []
    for g in sorted(glyphs, key=lambda g: g.baseline):
        if rows and g.baseline - rows[-1][0].baseline < 1:
            rows[-1].append(g)
        else:
            rows.append([g])
    return [sorted(row, key=lambda g: g.x0) for row in rows]


# --- reading -----------------------------------------------------------------------------


def body_lines(page: Page, paper: Paper) -> list[tuple[int, list[Glyph]]]:
    """The body text's lines as (column, glyphs), top to bottom within each column."""
    bx, by, bw, bh = paper.body
    lines = defaultdict(list)
    for g in page.glyphs:
        if "Garamond" not in g.font or not by <= g.top and g.bottom <= by + bh + 1:
            continue
        column = min(int((g.x0 - bx) / (bw / paper.columns)), paper.columns - 1)
        lines[(column, round(g.baseline * 4))].append(g)
    return [(column, sorted(lines[key], key=lambda g: g.x0))
            for key in sorted(lines) for column in [key[0]]]


def line_text(glyphs: list[Glyph]) -> str:
    text, previous = "", None
    for g in glyphs:
        if previous is not None and g.x0 - previous.x1 > 0.18 * g.size / MM:
            text += " "
        text += g.text
        previous = g
    return text


def measure(pages: list[Page], paper: Paper) -> list[int]:
    """Characters in each full line of body text (lines set to the whole column width)."""
    counts = []
    for page in pages:
        for _, glyphs in body_lines(page, paper):
            size = glyphs[0].size
            if abs(size - paper.body_pt) > 0.5:  # a sheet may be set a little denser
                continue
            width = glyphs[-1].x1 - glyphs[0].x0
            if width >= 0.97 * paper.column_width:
                counts.append(len(line_text(glyphs)))
    return counts


def column_fill(page: Page, paper: Paper) -> list[float]:
    """How far down the text area each text column's content goes, from 0 to 1: a
    heading, rule or figure across several columns counts in each."""
    bx, by, bw, bh = paper.body
    inside = [box for box in page.glyphs + page.rules
              if by - 1 <= box.top and box.bottom <= by + bh + 1
              and bx - 1 <= box.x0 and box.x1 <= bx + bw + 1]
    fills = []
    for column in range(paper.columns):
        x0 = bx + column * (paper.column_width + paper.column_gap)
        x1 = x0 + paper.column_width
        bottoms = [box.bottom for box in inside if box.x0 < x1 and x0 < box.x1]
        fills.append(max(0.0, (max(bottoms, default=by) - by) / bh))
    return fills


def fill(page: Page, paper: Paper) -> float:
    """How full the page's text area is, from 0 to 1: its columns' depths, averaged (one
    long column beside two empty ones is a third full)."""
    fills = column_fill(page, paper)
    return sum(fills) / len(fills)


_OPENING, _CLOSING = "«“‘([", "»”’)]"  # quotes and brackets, around a sentence's words
_ITEM_MARKS = ("–", "—", "☛")  # what an item starts with


def _hyphenated_name(before: list[Glyph], glyphs: list[Glyph]) -> str | None:
    """The line's hyphenated last word if it starts with a capital and does not start a
    sentence (a name: "Mul-"), read with the line before it."""
    words = (line_text(before) + " " + line_text(glyphs)).split()
    word = words.pop().lstrip(_OPENING) if words else ""
    if not word[:1].isupper():
        return None
    while words and not words[-1].strip(_OPENING + _CLOSING):
        words.pop()
    ending = words[-1].rstrip(_CLOSING) if words else ""
    if not ending or ending in _ITEM_MARKS or ending[-1] in ".!?…:":
        return None
    return word


def hyphenation_faults(pages: list[Page], paper: Paper) -> list[str]:
    """No hyphen across a page break, at most two hyphenated lines in a row, no line that
    is the end of a hyphenated word alone (a paragraph's last), no name hyphenated, no
    compound hyphenated but at its own hyphen, and only body text hyphenated."""
    faults = []
    for page in pages:
        lines = body_lines(page, paper)
        run, column_before, baseline_before = 0, None, 0.0
        for (_, before), (column, glyphs) in zip([(None, [])] + lines, lines, strict=False):
            if glyphs[-1].text == AUTO_HYPHEN and _hyphenated_name(before, glyphs):
                faults.append(f"page {page.number}: a name hyphenated: "
                              f"{_hyphenated_name(before, glyphs)!r}")
            if glyphs[-1].text == AUTO_HYPHEN and "-" in line_text(glyphs).split()[-1]:
                faults.append(f"page {page.number}: a compound hyphenated but at its own "
                              f"hyphen: {line_text(glyphs).split()[-1]!r}")
            superior = glyphs[0].size < 0.9 * before[0].size if before else False  # "27e"
            if before and before[-1].text == AUTO_HYPHEN and " " not in line_text(glyphs) \
                    and not superior:
                faults.append(f"page {page.number}: the end of a word alone on a line: "
                              f"{line_text(before)[-12:]!r} / {line_text(glyphs)!r}")
            # A run is of lines one under the other: a column or a gap (a heading, a new
            # block) ends it.
            pitch = glyphs[0].size * paper.leading / MM
            if column != column_before or glyphs[0].baseline - baseline_before > 1.5 * pitch:
                run, column_before = 0, column
            baseline_before = glyphs[0].baseline
            run = run + 1 if glyphs[-1].text == AUTO_HYPHEN else 0
            if run > 2:
                faults.append(f"page {page.number}: {run} hyphenated lines in a row, "
                              f"at {line_text(glyphs)!r}")
        if lines and lines[-1][1][-1].text == AUTO_HYPHEN:
            faults.append(f"page {page.number}: a word is hyphenated across the page break "
                          f"({line_text(lines[-1][1])!r})")
        for g in page.glyphs:
            if g.text == AUTO_HYPHEN and "Garamond" not in g.font:
                faults.append(f"page {page.number}: a heading, lead or label is hyphenated "
                              f"at ({g.x0:.1f}, {g.top:.1f}) mm")
    return faults


SHORT_LINE = 0.6  # of a paragraph's longest line: shorter, a line other than its last is cut


def short_line_faults(pdf: Path, paper: Paper) -> list[str]:
    """Lines of a body paragraph or list item, other than its last, shorter than SHORT_LINE
    of its longest: a justified line cut short ("sociaux" alone, its words on the next
    line). A line's paragraph is the structure element (P, LBody) its marked content belongs
    to; its lines are read in order, page by page and column by column."""
    import ua_check

    audit = ua_check.Audit(pdf)
    owner = {}  # (page index, MCID): the innermost paragraph or list item
    for number, element in enumerate(e for e in audit.root.walk() if e.tag in ("P", "LBody")):
        for part in element.walk():
            for mark in part.mcids:
                owner[mark] = number
    glyphs = defaultdict(lambda: defaultdict(list))  # paragraph: page index: glyphs
    for page in read(pdf):
        for g in page.glyphs:
            paragraph = owner.get((page.number - 1, g.mcid))
            if paragraph is not None:
                glyphs[paragraph][page.number - 1].append(g)
    faults = []
    for pages in glyphs.values():
        if not any("Garamond" in g.font for page in pages.values() for g in page):
            continue  # not body text
        size = max(g.size for page in pages.values() for g in page)
        lines = []  # (page index, column, glyphs), in reading order
        for index, page in sorted(pages.items()):
            for row in glyph_rows([g for g in page if g.size > 0.8 * size]):  # no superiors
                lines += [(index, *piece) for piece in _columns_of(row, paper)]
        lines.sort(key=lambda line: (line[0], line[1]))  # stable: top to bottom within
        # body text only (a cover's lettered titles are set ragged), and a first line that a
        # label starts ("☛ Défi 001") measured from where its text starts
        lines = [line for line in lines if all("Garamond" in g.font for g in line[2])]
        widths = [row[-1].x1 - row[0].x0 for _, _, row in lines]
        if not lines or max(widths) < paper.column_width / 2:  # a key's rows, not justified
            continue
        left = min(row[0].x0 for _, _, row in lines)
        for number, ((index, _, row), width) in enumerate(zip(lines[:-1], widths[:-1],
                                                             strict=True)):
            if number == 0 and row[0].x0 > left + 1:
                continue
            if width < SHORT_LINE * max(widths):
                faults.append(f"page {index + 1}: a line cut short ({width:.0f} of "
                              f"{max(widths):.0f} mm): {line_text(row)!r}")
    return faults


def _columns_of(row: list[Glyph], paper: Paper) -> list[tuple[int, list[Glyph]]]:
    """A row of glyphs cut where it crosses a column gap (two columns' lines on one
    baseline), as (column, glyphs); a row that runs across a gap's place (a page of other
    columns) stays whole."""
    bx, _, bw, _ = paper.body
    pitch = bw / paper.columns
    pieces, piece = [], [row[0]]
    for before, glyph in zip(row, row[1:], strict=False):
        gap = glyph.x0 - before.x1
        crosses = int((before.x1 - bx) / pitch) != int((glyph.x0 - bx) / pitch)
        if paper.columns > 1 and crosses and gap > 0.8 * paper.column_gap:
            pieces.append(piece)
            piece = []
        piece.append(glyph)
    pieces.append(piece)
    return [(min(max(int((p[0].x0 - bx) / pitch), 0), paper.columns - 1), p) for p in pieces]


def page_faults(pages: list[Page], paper: Paper) -> list[str]:
    """Every per-page rule of the drawing sheet."""
    faults = []
    for page in pages:
        faults += title_block_faults(page, paper)
        faults += containment_faults(page, paper)
        faults += collision_faults(page, paper)
        faults += centring_mark_faults(page, paper)
        faults += centring_axis_faults(page, paper)
        faults += text_top_faults(page, paper)
        faults += column_start_faults(page, paper)
        faults += part_head_faults(page, paper)
    return faults
