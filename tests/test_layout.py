"""The drawing sheet measured on the PDFs: frame, title block, collisions, clearances,
measure, page fill and hyphenation, on the shipped publication (A4, A3, Letter, A5) and on
a generated one with ten sheets, long titles, English labels and a two-page parts list; the
A3 cover and contents with 1 to 20 sheets."""

from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict
from pathlib import Path

import layout
import pdfplumber
import pytest
import ua_check
from conftest import SHEETS, generated_publication, pdftotext
from pypdf import PdfReader

from transfo_print.booklet import LabelRange
from transfo_print.build import Builder, SheetPart, _page_of, build
from transfo_print.geometry import (
    BAND_DEPTH,
    LANDSCAPE_CONTENTS_COLUMNS,
    LANDSCAPE_COVER_COLUMNS,
    LANDSCAPE_COVER_FULL_ROWS,
    MM_PER_PT,
    PAPERS,
)
from transfo_print.load import load
from transfo_print.options import Options
from transfo_print.typeset import PARTS, SHEET_TITLE_TRACKING

# The shipped sheets laid out on each paper besides A4 (which the `built` fixture has):
# on Letter, one with a photo note and the longest; on A3, also the three whose pages
# were left under the fill rule there (the last page of 03, 04 and 07 held a part or
# two in one of three columns) -- all seven would cost about a minute more.
# on A5, one with a photo note and the longest.
OTHER_PAPER_SHEETS = {"letter": (1, 5), "a3": (1, 3, 4, 5, 7), "a5": (1, 5)}


@dataclasses.dataclass
class Made:
    booklet: Path
    sheets: list[Path]


@pytest.fixture(scope="module")
def other_papers(tmp_path_factory) -> dict[str, Made]:
    """Booklets and sheet PDFs of shipped sheets on A3, Letter and A5, with their front
    and back matter."""
    book = load(SHEETS)
    out = tmp_path_factory.mktemp("papers")
    made = {}
    for paper, only in OTHER_PAPER_SHEETS.items():
        options = Options(paper=paper, only=only)
        build(book, out, options=options, strict=True, processes=os.cpu_count() or 1)
        made[paper] = Made(out / options.booklet_path(book),
                           [out / options.sheet_path(e) for e in book.sheets
                            if e.sheet.number in only])
    return made


def booklets(built, generated, other_papers):
    yield "a4", built.booklet
    yield "a4", generated.booklet
    for paper, made in other_papers.items():
        yield paper, made.booklet


def test_every_page_keeps_the_drawing_sheet_rules(built, generated, other_papers):
    """Title block 180 x 30 mm in the frame's corner, no glyph outside the frame (but the
    zone labels), none touching a rule, none within 2 mm of a centring mark."""
    faults = []
    for paper, pdf in booklets(built, generated, other_papers):
        faults += [f"{pdf.name} {f}" for f in layout.page_faults(layout.read(pdf),
                                                                  PAPERS[paper])]
    assert not faults, "\n".join(faults[:40])


def test_hyphenation_stays_within_the_rules(built, generated, other_papers):
    faults = []
    for paper, pdf in booklets(built, generated, other_papers):
        faults += [f"{pdf.name} {f}" for f in layout.hyphenation_faults(layout.read(pdf),
                                                                        PAPERS[paper])]
    assert not faults, "\n".join(faults)


def test_no_line_of_a_paragraph_but_its_last_is_cut_short(built, generated, other_papers):
    """Every line of a paragraph or list item but its last holds a line's words: with Pango
    1.50 the engine left one word alone on a line where the words of a whole line fitted
    but the space after them did not (transfo_print/hangingspace.py)."""
    faults = []
    for paper, pdf in booklets(built, generated, other_papers):
        faults += [f"{pdf.name} {f}" for f in layout.short_line_faults(pdf, PAPERS[paper])]
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("paper", ["a4", "letter", "a3", "a5"])
def test_body_text_is_set_to_a_readable_measure(built, other_papers, paper):
    pdf = built.booklet if paper == "a4" else other_papers[paper].booklet
    counts = layout.measure(layout.read(pdf), PAPERS[paper])
    assert len(counts) > 100
    average = sum(counts) / len(counts)
    assert 60 <= average <= 75, f"{average:.1f} characters a line on {paper}"


def _sheets_in(booklet: Path) -> list[tuple[str, list[layout.Page]]]:
    """Each sheet's pages in a booklet, by their page labels ("03.1", "03.2"...). The
    booklet is assembled from the sheet PDFs page for page, so these are their pages."""
    pages, labels = layout.read(booklet), PdfReader(booklet).page_labels
    sheets: dict[str, list[layout.Page]] = {}
    for page, label in zip(pages, labels, strict=True):
        number = re.fullmatch(r"(\d+)\.\d+", label)
        if number:
            sheets.setdefault(number[1], []).append(page)
    return list(sheets.items())


def _sheet_fill_faults(name: str, pages: list[layout.Page], paper) -> list[str]:
    faults = []
    for page in pages:
        share = layout.fill(page, paper)
        least = 1 / 3 if page is pages[-1] else 2 / 3
        if share < least:
            columns = ", ".join(f"{c:.0%}" for c in layout.column_fill(page, paper))
            faults.append(f"{name} page {page.number}: {share:.0%} full "
                          f"(columns {columns}), under {least:.0%}")
    return faults


def test_sheet_pages_are_well_filled(built, generated, other_papers):
    """No page but a sheet's last under two thirds full, a sheet's last at least a third;
    on a page of several columns, the columns' depths averaged."""
    faults, measured = [], 0
    for paper, pdf in booklets(built, generated, other_papers):
        for number, pages in _sheets_in(pdf):
            faults += _sheet_fill_faults(f"{pdf.name} sheet {number}", pages, PAPERS[paper])
            measured += 1
    assert measured == len(built.sheets) + len(generated.sheets) + sum(
        len(made.sheets) for made in other_papers.values())
    assert not faults, "\n".join(faults)


# --- the landscape cover and contents -------------------------------------------------


@pytest.fixture(scope="module")
def ten_sheets(tmp_path_factory):
    """The generated ten-sheet publication, loaded (not built)."""
    return load(generated_publication(tmp_path_factory.mktemp("ten") / "src"))


def _with_sheets(book, count: int):
    """`book` cut to `count` sheets, or lengthened with copies numbered on."""
    sheets = list(book.sheets[:count])
    while len(sheets) < count:
        source = book.sheets[len(sheets) % book.count]
        number = len(sheets) + 1
        sheets.append(dataclasses.replace(
            source, slug=f"{number:02d}-copy",
            sheet=source.sheet.model_copy(update={"number": number})))
    return dataclasses.replace(book, sheets=tuple(sheets))


def _body_words(pdf: Path, paper, index: int) -> list[dict]:
    """The words in the text area of page `index` (not the band's, the title block's or
    the zone labels), top to bottom."""
    bx, by, bw, bh = (v * layout.MM for v in paper.body)
    with pdfplumber.open(pdf) as document:
        words = document.pages[index].extract_words()
    return [w for w in words if bx - 3 <= w["x0"] and w["x1"] <= bx + bw + 3
            and by - 3 <= w["top"] and w["bottom"] <= by + bh + 3]


def _front_matter(book, paper: str, out: Path) -> Path:
    """The cover and contents of `book` laid out and tagged, with made-up folios (the
    sheets themselves are not laid out: two pages each, their parts on the second)."""
    builder = Builder(book, options=Options(paper=paper))
    sheets = [SheetPart(entry, out / "unused.pdf", 2, {part: 1 for part in PARTS}, {})
              for entry in book.sheets]
    front, _ = builder.lay_out_matter(sheets)
    pdf = out / f"front-{paper}-{book.count}.pdf"
    pdf.write_bytes(builder.renderer.write(front, [LabelRange(0, len(front.pages), "/r")]))
    return pdf


@pytest.mark.parametrize("count", [1, 7, 10, 20])
def test_the_a3_cover_holds_every_sheet_on_one_landscape_page(ten_sheets, tmp_path, count):
    """The cover of 1 to 20 sheets on one page, within the drawing sheet's rules: the title
    large in the left two thirds, the sheets in a grid across the width under it."""
    book = _with_sheets(ten_sheets, count)
    paper = PAPERS["a3"]
    pdf = _front_matter(book, "a3", tmp_path)
    pages = layout.read(pdf)
    faults = layout.page_faults(pages, paper) + ua_check.audit(pdf)
    assert not faults, "\n".join(faults[:20])
    bx, by, bw, bh = paper.body
    title = [g for g in pages[0].glyphs if g.size > 30]
    assert title and max(g.x1 for g in title) <= bx + bw * 2 / 3 + 1
    cover, contents = _body_words(pdf, paper, 0), _body_words(pdf, paper, 1)
    # each entry begins with its sheet's label, or its number alone when there are many,
    # at the left of one of four columns across the text area
    label = r"\d\d" if count > LANDSCAPE_COVER_COLUMNS * LANDSCAPE_COVER_FULL_ROWS else "Sheet"
    card = (bw - (LANDSCAPE_COVER_COLUMNS - 1) * paper.column_gap) / LANDSCAPE_COVER_COLUMNS
    starts = [bx + k * (card + paper.column_gap) for k in range(LANDSCAPE_COVER_COLUMNS)]
    numbers = [w for w in cover if re.fullmatch(label, w["text"])
               and any(abs(w["x0"] / layout.MM - x) < 1 for x in starts)]
    # every sheet's entry is on the cover, under the title, and the contents begin on the
    # next page
    assert len(numbers) == count, f"{len(numbers)} of {count} sheets on the cover"
    assert len({round(w["x0"]) for w in numbers}) == min(count, LANDSCAPE_COVER_COLUMNS)
    assert min(w["top"] for w in numbers) / layout.MM > max(g.bottom for g in title)
    assert contents[0]["text"].upper() == book.publication.labels.contents.upper()


def test_the_a3_contents_are_set_in_two_columns(ten_sheets, tmp_path):
    """The contents of ten sheets on A3: each sheet's entry whole, two entries a row."""
    paper = PAPERS["a3"]
    pdf = _front_matter(ten_sheets, "a3", tmp_path)
    pages = layout.read(pdf)
    assert not layout.page_faults(pages[1:], paper)
    words = [w for index in range(1, len(pages)) for w in _body_words(pdf, paper, index)]
    labels = [w for w in words if w["text"] == "Sheet"]
    assert len(labels) == ten_sheets.count
    bx, _, bw, _ = paper.body
    lefts = sorted({round(w["x0"] / layout.MM) for w in labels})
    assert len(lefts) == 2 and lefts[1] - lefts[0] > bw / 2 - 1, lefts


def test_nothing_on_an_a5_page_is_set_under_its_least_size(other_papers):
    """Body, ticker, zone labels, the title block, ordinals and the drawings' codes: every
    glyph at 6 pt or more, as printed (pdfplumber's size is the rendered one: the title
    block's labels read back at the size the geometry gives them)."""
    paper = PAPERS["a5"]
    pages = layout.read(other_papers["a5"].booklet)
    x, y, _, _ = paper.title_block
    labels = [g.size for g in pages[0].glyphs
              if y < g.top < y + paper.title_block_spec.padding + 2.5 and g.x0 > x]
    assert labels and min(labels) == pytest.approx(paper.title_block_spec.label_pt, abs=0.05)
    small = [f"page {page.number}: {g.text!r} {g.size:.2f} pt at ({g.x0:.1f}, {g.top:.1f}) mm"
             for page in pages for g in page.glyphs if g.size < paper.least_pt - 0.01]
    assert not small, "\n".join(small[:20])
    bodies = [g.size for page in pages for g in page.glyphs if "Garamond" in g.font]
    assert 8.5 <= max(set(bodies), key=bodies.count) <= 9  # the body's size


def test_a_cover_of_titles_only_stands_in_the_middle_of_the_text_area(other_papers):
    """On A5 the cover lists the sheets' titles only: set at the top, it left the lower
    half of the page empty. As much room above its first line as below its last."""
    paper = PAPERS["a5"]
    bx, by, bw, bh = paper.matter_body
    cover = layout.read(other_papers["a5"].booklet)[0]
    inside = [g for g in cover.glyphs
              if bx <= g.x0 and g.x1 <= bx + bw and by <= g.top and g.bottom <= by + bh]
    above = min(g.top for g in inside) - by
    below = by + bh - max(g.bottom for g in inside)
    assert above > bh / 5 and abs(above - below) < 5, (above, below)


def test_a_cover_longer_than_a_page_starts_each_of_its_pages_at_the_top(ten_sheets, tmp_path):
    """Thirty sheets on A5: the titles run over several pages. Centred, the last of them
    would begin halfway down; each begins at the top of the text area instead."""
    paper = PAPERS["a5"]
    book = _with_sheets(ten_sheets, 30)
    builder = Builder(book, options=Options(paper="a5"))
    sheets = [SheetPart(entry, tmp_path / "unused.pdf", 2, {part: 1 for part in PARTS}, {})
              for entry in book.sheets]
    front, _ = builder.lay_out_matter(sheets)
    pdf = tmp_path / "front.pdf"
    pdf.write_bytes(builder.renderer.write(front, [LabelRange(0, len(front.pages), "/r")]))
    bx, by, bw, bh = paper.matter_body
    cover = layout.read(pdf)[:_page_of(front, "contents")]
    assert len(cover) > 1
    for page in cover:
        inside = [g for g in page.glyphs
                  if bx <= g.x0 and g.x1 <= bx + bw and by <= g.top and g.bottom <= by + bh]
        assert min(g.top for g in inside) - by < 10, page.number


def test_the_a5_title_block_holds_every_value_within_its_cells(other_papers):
    """Each cell has its value, and its label and value lie inside its rules, on every
    page."""
    paper = PAPERS["a5"]
    spec = paper.title_block_spec
    tx, ty, _, _ = paper.title_block
    faults = []
    for page in layout.read(other_papers["a5"].booklet):
        inside = [g for g in page.glyphs if tx <= g.x0 and ty <= g.top]
        for cell in spec.cells:
            x, y, w, h = spec.box(cell.name)
            x, y = tx + x, ty + y
            starting = [g for g in inside if x <= g.x0 < x + w and y <= g.top < y + h]
            faults += [f"page {page.number}: {g.text!r} of {cell.name} over its cell"
                       for g in starting if g.x1 > x + w or g.bottom > y + h]
            if not [g for g in starting if g.top >= y + spec.value_top - 0.5]:
                faults.append(f"page {page.number}: {cell.name} has no value")
    assert not faults, "\n".join(faults[:20])


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_a_title_of_100_characters_fits_its_cell(paper):
    """From the font's advances: every line within the cell's width, the lines within its
    depth under the label, never under the least size."""
    from transfo_print import metrics
    from transfo_print.typeset import Typesetter

    spec = PAPERS[paper].title_block_spec
    title = ("Choose the right transmission system for a long and winding road trip "
             "across the whole country and back")
    assert len(title) >= 100
    ts = Typesetter(load(SHEETS), paper=paper)
    tb = ts.title_block(title, ts.marks(None))["title"]
    _, y, w, h = spec.box("title")
    size, lines = tb["size"], [line for line, _ in tb["lines"]]
    assert size >= spec.title_pt[1] and (paper != "a5" or size >= PAPERS[paper].least_pt)
    assert all(metrics.width_mm(line, size) <= w - 2 * spec.padding for line in lines)
    _, last_top, _ = tb["lines"][-1][1]
    assert last_top + size * spec.title_leading * MM_PER_PT <= y + h - spec.padding / 2


def test_the_font_files_read_for_text_widths_are_closed():
    """Measuring text from a font's advances leaves no font file open behind it."""
    import gc
    import warnings

    from transfo_print import metrics

    metrics._advances.cache_clear()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        assert metrics.width_mm("Sheet 01 OF 07 — ☛", 9) > 0  # the lettering and the fallback
        gc.collect()
    assert not [w for w in seen if issubclass(w.category, ResourceWarning)]


def _cell_text(page, paper, name: str) -> str:
    x, y, w, h = paper.title_block_spec.box(name)
    tx, ty, _, _ = paper.title_block
    glyphs = [g for g in page.glyphs if tx + x <= g.x0 and g.x1 <= tx + x + w
              and ty + y <= g.top and g.bottom <= ty + y + h]
    glyphs.sort(key=lambda g: (round(g.baseline), g.x0))
    return layout.line_text(glyphs)


def test_the_title_block_says_what_each_page_is(generated):
    paper = PAPERS["a4"]
    pages = layout.read(generated.booklet)
    count = len(generated.book.sheets)
    assert _cell_text(pages[0], paper, "sheet").endswith(f"00 / {count}")
    assert _cell_text(pages[0], paper, "number").endswith("000.000")
    assert _cell_text(pages[-1], paper, "sheet").endswith(f"00 / {count}")
    # every page prints the folio a reader's viewer shows for it (front and back in roman)
    labels = PdfReader(generated.booklet).page_labels
    wrong = [(label, text) for page, label in zip(pages, labels, strict=True)
             if not (text := _cell_text(page, paper, "page")).endswith(label)]
    assert not wrong, wrong
    for pdf, entry in zip(generated.sheets, generated.book.sheets, strict=True):
        for page in layout.read(pdf):
            number = entry.sheet.number
            assert _cell_text(page, paper, "sheet").endswith(f"{number:02d} / {count}")
            assert _cell_text(page, paper, "number").endswith(f"{number:03d}.001")
            assert _cell_text(page, paper, "page").endswith(f"{number:02d}.{page.number}")


def test_the_contents_give_the_page_the_back_matter_starts_on(generated):
    """The contents' folios of the parts list and the colophon are the labels of the pages
    they begin on, although the contents run over two pages and shift the back matter."""
    labels = PdfReader(generated.booklet).page_labels
    texts = [pdftotext(generated.booklet, "-f", str(n), "-l", str(n))
             for n in range(1, len(labels) + 1)]
    contents = pdftotext(generated.booklet, "-f", "2", "-l", "3", "-layout")
    for name in ("PARTS LIST", "COLOPHON"):
        listed = re.search(rf"^\s*{name}\b.*?(\S+)\s*$", contents, flags=re.MULTILINE)[1]
        # its heading is on the first page after the contents (i to iii) that names it; a
        # parts list that runs on names itself again under the next page's band
        where = next(n for n, text in enumerate(texts) if n > 2 and name in text)
        assert labels[where] == listed, f"{name}: listed on {listed}, printed on {labels[where]}"


def test_the_back_matters_folios_stand_flush_right_like_the_sheets(generated):
    """The folios of the parts list and the colophon, which the contents page learns only
    once the back matter is laid out (repagination.py), end where every other folio of the
    contents ends: on the right edge of the text."""
    with pdfplumber.open(generated.booklet) as pdf:
        words = [w | {"page": n} for n in (1, 2) for w in pdf.pages[n].extract_words()]
    sheet_folios = [w["x1"] for w in words if re.fullmatch(r"\d\d\.1", w["text"])]
    assert sheet_folios
    right = max(sheet_folios)
    for name in ("PARTS", "COLOPHON"):
        line = next(w for w in words if w["text"] == name)
        middle = (line["top"] + line["bottom"]) / 2
        # the last word on its line in the text (the frame's zone letters are further out)
        folio = max((w for w in words if w["page"] == line["page"]
                     and w["top"] < middle < w["bottom"] and w["x0"] > line["x1"]
                     and w["x1"] < right + 10),
                    key=lambda w: w["x1"])
        assert re.fullmatch(r"[ivxl]+", folio["text"]), (name, folio["text"])
        assert abs(folio["x1"] - right) < 0.1, (name, folio["x1"], right)


@pytest.mark.parametrize("booklet", ["built", "generated"])
def test_each_contents_entry_leads_to_its_heading(booklet, request):
    """A contents entry's link, and the folio printed with it, go to where the part begins;
    its heading must be there, under the link's destination, on that page. A part's heading
    row that did not fit at a page's foot left its rule there, with the part's anchor: the
    contents then gave the page before the heading (transfo_print/flexbreak.py)."""
    import pikepdf

    pdf_path = request.getfixturevalue(booklet).booklet
    pages = layout.read(pdf_path)
    faults, checked = [], 0
    with pikepdf.open(pdf_path) as pdf:
        tree = pdf.Root.Names.Dests
        names = dict(_name_tree_entries(tree))
        page_numbers = {page.objgen: n for n, page in enumerate(pdf.pages)}
        height = float(pdf.pages[0].trimbox[3])
        for contents_page in pdf.pages[1:3]:
            for link in contents_page.obj.get("/Annots", []):
                title = str(link.get("/Contents", ""))
                if " — " not in title or "/Dest" not in link:
                    continue
                first, last = title.split(" — ", 1)
                # "01 Title — Part" for a sheet's part, "Colophon — Publication" for the matter
                part = last if first[:2].isdigit() else first
                if part.upper().startswith(("SHEET", "PLANCHE")):
                    continue  # the sheet's own row: its title, checked by the outline test
                destination = names[str(link.Dest)]
                page = pages[page_numbers[destination[0].objgen]]
                top = (height - float(destination[3])) / layout.MM
                under = "".join(g.text for g in sorted(
                    (g for g in page.glyphs if top - 1 < g.top < top + 15),
                    key=lambda g: (round(g.baseline), g.x0)))
                checked += 1
                if part.upper().replace(" ", "") not in under.upper():
                    faults.append(f"{title}: page {page.number}, {top:.1f} mm: {under[:40]!r}")
    assert checked >= 20 and not faults, "\n".join(faults)


def _name_tree_entries(node):
    for index in range(0, len(node.get("/Names", [])), 2):
        yield str(node.Names[index]), node.Names[index + 1]
    for kid in node.get("/Kids", []):
        yield from _name_tree_entries(kid)


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_a_legend_is_a_key_of_rows_flush_right_with_dots(paper, tmp_path):
    """Each row of a legend: its code, dots, its name ending where every other row's ends.
    On A5 the key was half the one column's measure: a name longer than that pushed its
    row out to its own width, with no dots and a ragged right edge."""
    import shutil

    from conftest import MINI, edit

    source = tmp_path / "source"
    shutil.copytree(MINI, source)
    long_name = "The whole vehicle, seen from its left side"  # the longest a name may be
    edit(source, "01-start-the-engine.yaml", "label: Whole vehicle", f"label: {long_name}")
    build(load(source), tmp_path / "out", options=Options(paper=paper, only=(1,)))
    sheet = next((tmp_path / "out" / "sheets").glob("*.pdf"))
    rows = []
    for page in layout.read(sheet):
        lines = defaultdict(list)
        for g in page.glyphs:
            lines[round(g.baseline, 1)].append(g)
        for glyphs in lines.values():
            glyphs.sort(key=lambda g: g.x0)
            text = "".join(g.text for g in glyphs)
            if re.match(r"\([a-z0-9]{1,6}\)\S", text):  # "(k1)Keypart1": a legend row
                code_end = next(g.x1 for g in glyphs if g.text == ")")
                name_start = min(g.x0 for g in glyphs if g.x0 > code_end)
                rows.append((text, name_start - code_end, glyphs[-1].x1))
    assert len(rows) == 2, rows
    ends = [end for _, _, end in rows]
    assert max(ends) - min(ends) < 0.2, rows  # flush right
    assert all(room > 3 for _, room, _ in rows), rows  # room for dots before each name


def test_the_band_sets_ordinals_as_superior_letters(built):
    """"La 27e Région" in the front and back matter's band, as in the title block and the
    text: the "e" a superior letter, smaller than the figures it follows."""
    paper = PAPERS["a4"]
    band_foot = paper.frame[1] + BAND_DEPTH
    for page in (layout.read(built.booklet)[0], layout.read(built.booklet)[-1]):
        band = sorted((g for g in page.glyphs if g.bottom < band_foot),
                      key=lambda g: g.x0)
        after_27 = [(a, b, c) for a, b, c in zip(band, band[1:], band[2:], strict=False)
                    if a.text + b.text == "27" and c.text == "e"]
        assert after_27, "".join(g.text for g in band)
        for _, seven, e in after_27:
            assert e.size < seven.size * 0.8 and e.baseline < seven.baseline - 0.5


def test_the_contents_set_every_sheet_title_at_one_size(generated, other_papers):
    """The sheet titles of the contents are a list: one size for all, the largest at which
    each fits its line (each at its own largest, they ran from 8 to 11 pt down an A5
    page). Read from the glyphs of each title on the contents pages."""
    for pdf, book in ((generated.booklet, generated.book),
                      (other_papers["a5"].booklet, load(SHEETS))):
        pages = layout.read(pdf)
        contents = [g for page in pages[1:4] for g in sorted(
            page.glyphs, key=lambda g: (round(g.baseline, 1), g.x0))]
        text = "".join(g.text for g in contents)
        sizes = {}
        for entry in book.sheets:
            title = entry.sheet.title.upper().replace(" ", "")
            start = text.find(title)
            if start >= 0:  # a title that wraps is read in two pieces: left out
                sizes[title] = {round(g.size, 2) for g in contents[start:start + len(title)]}
        assert len(sizes) >= 2, (pdf.name, sizes)
        assert len(set().union(*sizes.values())) == 1, (pdf.name, sizes)


@pytest.mark.parametrize("paper", ["a4", "a3", "a5"])
def test_the_contents_set_the_parts_names_in_a_column_under_larger_titles(
        built, other_papers, paper):
    """In the contents, every part's name starts at one place after the column of numbers,
    a part without a number (testimonials) too: it had started in the numbers' column. And
    a sheet's title is set larger than its parts' names on every paper: on A3 the names
    (body size) were larger than the titles (at most 11 pt)."""
    pdf = built.booklet if paper == "a4" else other_papers[paper].booklet
    book, geometry = load(SHEETS), PAPERS[paper]
    names = [getattr(book.publication.labels, part).replace(" ", "") for part in PARTS]
    titles = [entry.sheet.title.upper().replace(" ", "") for entry in book.sheets]
    starts, name_sizes, title_sizes = [], [], []
    for line in layout.glyph_rows(layout.read(pdf)[1].glyphs):
        text = "".join(g.text for g in line)
        for name in names:
            for found in re.finditer(re.escape(name), text):
                starts.append(line[found.start()].x0)
                name_sizes.append(line[found.start()].size)
        title_sizes += [line[found.start()].size for title in titles
                        for found in re.finditer(re.escape(title), text)]
    columns = geometry.contents_parts_per_row * (
        LANDSCAPE_CONTENTS_COLUMNS if geometry.landscape else 1)
    places = _places(starts, tolerance=0.15)
    assert len(starts) >= 4 * 2 and len(places) == columns, (paper, places)
    assert title_sizes and min(title_sizes) > max(name_sizes), (paper, title_sizes,
                                                                name_sizes)


def _places(values: list[float], tolerance: float) -> list[float]:
    """The distinct values among `values`, those within `tolerance` of another one."""
    places: list[float] = []
    for value in sorted(values):
        if not places or value - places[-1] > tolerance:
            places.append(value)
    return places


def test_a_parts_list_that_runs_on_says_so_under_the_band(generated):
    """The parts list of ten sheets takes two pages: the second says it goes on, under the
    band, as a sheet's part does; the first does not."""
    labels = generated.book.publication.labels
    count = len(PdfReader(generated.booklet).pages)
    texts = [pdftotext(generated.booklet, "-f", str(n), "-l", str(n)).upper()
             for n in range(1, count + 1)]
    continued = f"{labels.parts_list} ({labels.continued})".upper()
    first = next(n for n, text in enumerate(texts) if labels.parts_list.upper() in text
                 and n > 2)  # after the contents, which name it too
    assert continued not in texts[first]
    assert continued in texts[first + 1], texts[first + 1][:300]


@pytest.mark.parametrize("paragraph, heading_column", [("", 0), (' class="lead-in"', 1)])
def test_a_list_opens_a_column_unless_a_paragraph_announces_it(tmp_path, paragraph,
                                                               heading_column):
    """A heading and its one-line paragraph at a column's foot, then a list item of three
    lines that cannot be split (orphans and widows of 2): the engine's own style keeps a
    list with what precedes it, so the heading went to the next column with it, leaving
    the foot of the first empty. Now the list alone goes, unless the paragraph announces it
    (it ends with a colon): then the three stay together. Lines end at <br> only, so no
    line break depends on the text-shaping library."""
    from transfo_print import render
    from transfo_print.paths import DEFAULT_LAYOUT

    weasyprint = render.load_engine()
    html = (
        "<style>@page { size: 120mm 90mm; margin: 8mm } body { font: 10pt/1.3 serif }"
        " .part-body { columns: 2; column-gap: 6mm }</style>"
        '<div class="part-body"><div style="height: 55mm"></div>'
        f"<h3>Heading</h3><p{paragraph}>Words:</p><ul><li>1<br>2<br>3</li></ul>"
        '<div style="height: 70mm"></div></div>')
    pdf = tmp_path / "columns.pdf"
    weasyprint.HTML(string=html).write_pdf(
        pdf, stylesheets=[weasyprint.CSS(filename=DEFAULT_LAYOUT / "page.css")])
    first = layout.read(pdf)[0]
    heading = [g for g in first.glyphs if g.text == "H"]
    listed = [g for g in first.glyphs if g.text == "1"]
    middle = 120 / 2
    assert heading and listed, "".join(g.text for g in first.glyphs)
    assert int(heading[0].x0 > middle) == heading_column
    assert listed[0].x0 > middle  # the list's item, whole, in the second column


def test_a_paragraph_that_ends_with_a_colon_announces_what_follows():
    builder = Builder(load(SHEETS))
    html = builder.ts.sheet_html(builder.book.sheets[1])
    announcing = [re.sub(r"<[^>]+>", "", text)
                  for text in re.findall(r'<p class="lead-in">(.*?)</p>', html)]
    assert any(text.startswith("Prendre en compte les enjeux politiques") for text in announcing)
    assert all(text.rstrip().endswith(":") for text in announcing), announcing


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_a_sheet_title_is_measured_as_it_is_set(built, other_papers, paper):
    """The width the typesetter reckons for each line of a sheet's title (its size and
    where it wraps depend on it) is the width printed, give or take the allowance for
    kerning: it measured the title with twice the tracking it is set with, so on A4 "Travailler
    à partir de cas concrets" wrapped though it fits one line. Read from the glyphs."""
    from transfo_print import metrics

    pdf = built.booklet if paper == "a4" else other_papers[paper].booklet
    by = PAPERS[paper].body[1]
    ratios = []
    for _, pages in _sheets_in(pdf):
        title = [g for g in pages[0].glyphs if g.size >= 12.9 and by <= g.top < by + 25]
        for line in layout.glyph_rows(title):
            text, size = layout.line_text(line), line[0].size
            printed = line[-1].x1 - line[0].x0
            reckoned = metrics.width_mm(text, size, tracking_em=SHEET_TITLE_TRACKING)
            ratios.append((round(reckoned / printed, 3), text))
    assert len(ratios) >= 2, ratios
    assert all(1.0 <= ratio <= metrics.SAFETY + 0.025 for ratio, _ in ratios), ratios
