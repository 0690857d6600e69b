"""The drawing sheet measured on the PDFs: frame, title block, collisions, clearances,
measure, page fill and hyphenation, on the shipped publication (A4, A3, Letter) and on a
generated one with ten sheets, long titles, English labels and a two-page parts list."""

from __future__ import annotations

import re
from pathlib import Path

import layout
import pytest
from conftest import SHEETS, pdftotext
from pypdf import PdfReader

from transfo_print.build import build
from transfo_print.geometry import PAPERS, TITLE_BLOCK_CELLS
from transfo_print.load import load
from transfo_print.options import Options


@pytest.fixture(scope="module")
def other_papers(tmp_path_factory) -> dict[str, Path]:
    """Booklets of two shipped sheets (one with a photo note, one the longest) on A3 and
    Letter."""
    book = load(SHEETS)
    out = tmp_path_factory.mktemp("papers")
    made = {}
    for paper in ("a3", "letter"):
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


@pytest.mark.parametrize("paper", ["a4", "letter", "a3"])
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


def _cell_text(page, paper, name: str) -> str:
    cell = next(c for c in TITLE_BLOCK_CELLS if c.name == name)
    x, y, w, h = cell.box
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
