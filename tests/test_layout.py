"""The drawing sheet measured on the PDFs: frame, title block, collisions, clearances,
measure, page fill and hyphenation, on the shipped publication (A4, A3, Letter, A5) and on
a generated one with ten sheets, long titles, English labels and a two-page parts list."""

from __future__ import annotations

import re
from pathlib import Path

import layout
import pytest
from conftest import SHEETS, pdftotext
from pypdf import PdfReader

from transfo_print.build import build
from transfo_print.geometry import PAPERS
from transfo_print.load import load
from transfo_print.options import Options


@pytest.fixture(scope="module")
def other_papers(tmp_path_factory) -> dict[str, Path]:
    """Booklets of two shipped sheets (one with a photo note, one the longest) on A3,
    Letter and A5, with their front and back matter."""
    book = load(SHEETS)
    out = tmp_path_factory.mktemp("papers")
    made = {}
    for paper in ("a3", "letter", "a5"):
        options = Options(paper=paper, only=(1, 5))
        build(book, out, options=options, strict=True)
        made[paper] = out / options.booklet_path(book)
    return made


def booklets(built, generated, other_papers):
    yield "a4", built.booklet
    yield "a4", generated.booklet
    yield from other_papers.items()


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


@pytest.mark.parametrize("paper", ["a4", "letter", "a3", "a5"])
def test_body_text_is_set_to_a_readable_measure(built, other_papers, paper):
    pdf = built.booklet if paper == "a4" else other_papers[paper]
    counts = layout.measure(layout.read(pdf), PAPERS[paper])
    assert len(counts) > 100
    average = sum(counts) / len(counts)
    assert 60 <= average <= 75, f"{average:.1f} characters a line on {paper}"


def _sheet_fill_faults(pdf: Path, paper) -> list[str]:
    pages = layout.read(pdf)
    faults = []
    for page in pages:
        share = layout.fill(page, paper)
        least = 1 / 3 if page is pages[-1] else 2 / 3
        if share < least:
            faults.append(f"{pdf.name} page {page.number}: {share:.0%} full, "
                          f"under {least:.0%}")
    return faults


def test_sheet_pages_are_well_filled(built, generated):
    """No page but a sheet's last under two thirds full, a sheet's last at least a third."""
    faults = []
    for pdf in built.sheets + generated.sheets:
        faults += _sheet_fill_faults(pdf, PAPERS["a4"])
    assert not faults, "\n".join(faults)


def test_a5_sheet_pages_are_well_filled(other_papers):
    sheets = sorted(other_papers["a5"].parent.glob("sheets/*-a5.pdf"))
    assert len(sheets) == 2
    faults = []
    for pdf in sheets:
        faults += _sheet_fill_faults(pdf, PAPERS["a5"])
    assert not faults, "\n".join(faults)


def test_nothing_on_an_a5_page_is_set_under_its_least_size(other_papers):
    """Body, ticker, zone labels, the title block, ordinals and the drawings' codes: every
    glyph at 6 pt or more, as printed (pdfplumber's size is the rendered one: the title
    block's labels read back at the size the geometry gives them)."""
    paper = PAPERS["a5"]
    pages = layout.read(other_papers["a5"])
    x, y, _, _ = paper.title_block
    labels = [g.size for g in pages[0].glyphs
              if y < g.top < y + paper.title_block_spec.padding + 2.5 and g.x0 > x]
    assert labels and min(labels) == pytest.approx(paper.title_block_spec.label_pt, abs=0.05)
    small = [f"page {page.number}: {g.text!r} {g.size:.2f} pt at ({g.x0:.1f}, {g.top:.1f}) mm"
             for page in pages for g in page.glyphs if g.size < paper.least_pt - 0.01]
    assert not small, "\n".join(small[:20])
    bodies = [g.size for page in pages for g in page.glyphs if "Garamond" in g.font]
    assert 8.5 <= max(set(bodies), key=bodies.count) <= 9  # the body's size


def test_the_a5_title_block_holds_every_value_within_its_cells(other_papers):
    """Each cell has its value, and its label and value lie inside its rules, on every
    page."""
    paper = PAPERS["a5"]
    spec = paper.title_block_spec
    tx, ty, _, _ = paper.title_block
    faults = []
    for page in layout.read(other_papers["a5"]):
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
    tb = Typesetter(load(SHEETS), paper=paper).title_block(title, "N°. 001.001", "01 / 07")
    _, _, w, h = spec.box("title")
    size, lines = tb["title_size"], tb["title_lines"]
    assert size >= spec.title_pt[1] and (paper != "a5" or size >= PAPERS[paper].least_pt)
    assert all(metrics.width_mm(line, size) <= w - 2 * spec.padding for line in lines)
    depth = len(lines) * size * tb["title_leading"] * metrics.PT_TO_MM
    assert tb["title_top"] + depth <= h - spec.padding / 2


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
        # its heading is on one page after the contents, its name in the contents before
        where = [n for n, text in enumerate(texts) if name in text][-1]
        assert labels[where] == listed, f"{name}: listed on {listed}, printed on {labels[where]}"
