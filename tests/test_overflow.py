"""What no text engine can set within its box stays inside it all the same: a word longer
than its column (in a paragraph, a heading, a caption), a title of one long word (the sheet's
heading, the title block's cell), a photo taller than the page.

One small build holds every case: sheet 01 of the mini publication, given them. Each is
measured on the PDF as boxes within boxes, never as lines counted or broken at a given
letter, so that any Pango breaks the word where it likes."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import layout
import pdfplumber
import pytest
from conftest import MINI, edit
from PIL import Image

from transfo_print.build import build
from transfo_print.geometry import PAPERS, PHOTO_HEIGHT_SHARE
from transfo_print.load import load
from transfo_print.options import Options

SHEET = "01-start-the-engine.yaml"
PAPER = PAPERS["a4"]
TOLERANCE = 0.3  # mm: a glyph's box as read back is approximate at its edges
# Each long word is of a letter nothing else on the sheet's pages is made of, so that all
# its glyphs can be found again, wherever they went.
WORDS = {"z": 300, "j": 150, "Z": 200}  # paragraph, heading, caption
TITLE = "W" * 60
PHOTO = (900, 6000)  # pixels: 70 mm wide, it would be 467 mm tall


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> Path:
    """Sheet 01 of the mini publication with a paragraph, a heading and a photo's caption
    each holding a word longer than the column, a title of one 60-letter word, and a tall
    photo; laid out alone on A4 (one process)."""
    source = tmp_path_factory.mktemp("overflow") / "src"
    shutil.copytree(MINI, source)
    photo = Image.new("RGB", PHOTO, (190, 120, 90))
    for y in range(0, PHOTO[1], 500):  # bands, so that the picture is seen whole or not
        photo.paste((20, 20, 20), (0, y, PHOTO[0], y + 40))
    photo.save(source / "images" / "tall.jpg", quality=60)
    edit(source, SHEET, "title: Start the engine", f"title: {TITLE}")
    edit(source, SHEET, "      - heading: What we saw on sheet 1\n",
         f"      - heading: What we saw on sheet 1\n"
         f"      - text: Before {'z' * WORDS['z']} after.\n"
         f"      - heading: Then {'j' * WORDS['j']}\n")
    edit(source, SHEET, "      - caption: a photo caption of sheet 1\n",
         "      - caption: a photo caption of sheet 1\n"
         f"      - caption: Kingfisher {'Z' * WORDS['Z']} at the end\n"
         "        image: images/tall.jpg\n")
    out = source.parent / "out"
    book = load(source)
    build(book, out, strict=True, options=Options(only=(1,)), processes=1)
    return out / "sheets" / "01-start-the-engine.pdf"


def _columns() -> list[tuple[float, float]]:
    bx = PAPER.body[0]
    pitch = PAPER.column_width + PAPER.column_gap
    return [(bx + i * pitch, bx + i * pitch + PAPER.column_width) for i in range(PAPER.columns)]


def _in_text_area(box) -> bool:
    bx, by, bw, bh = PAPER.body
    return (bx - TOLERANCE <= box.x0 and box.x1 <= bx + bw + TOLERANCE
            and by - TOLERANCE <= box.top and box.bottom <= by + bh + TOLERANCE)


@pytest.mark.parametrize("letter", WORDS)
def test_a_word_longer_than_its_column_breaks_within_it(sheet, letter):
    """Every letter of the word in a column's width and the page's text area: none across
    the gap, into the next column, over the title block or off the page; none lost."""
    found, faults = 0, []
    for page in layout.read(sheet):
        for g in page.glyphs:
            if g.text != letter:
                continue
            found += 1
            inside = any(x0 - TOLERANCE <= g.x0 and g.x1 <= x1 + TOLERANCE
                         for x0, x1 in _columns())
            if not (inside and _in_text_area(g)):
                faults.append(f"page {page.number}: {letter!r} at ({g.x0:.1f}, {g.top:.1f})"
                              f"-({g.x1:.1f}, {g.bottom:.1f}) mm is outside every column")
    assert not faults, "\n".join(faults[:10])
    assert found == WORDS[letter]


def test_a_title_of_one_long_word_stays_in_the_text_area_and_in_its_cell(sheet):
    """The sheet's heading wraps within the text area's width; the title block's title goes
    on over more lines within its cell, whole, crossing none of the block's rules."""
    pages = layout.read(sheet)
    tx, ty, _, _ = PAPER.title_block
    x, y, w, h = PAPER.title_block_spec.box("title")
    cell = (tx + x, ty + y, tx + x + w, ty + y + h)
    for page in pages:
        in_cell = [g for g in page.glyphs if g.text == "W" and cell[0] <= g.x0 <= cell[2]
                   and cell[1] <= g.top <= cell[3]]
        assert len(in_cell) == len(TITLE), f"page {page.number}: the title is cut"
        for g in in_cell:
            assert cell[0] < g.x0 and g.x1 < cell[2] and cell[1] < g.top and g.bottom < cell[3]
        # every rule of the title block and the frame clear of every glyph
        assert not layout.collision_faults(page, PAPER)
        assert not layout.containment_faults(page, PAPER)
    heading = [g for g in pages[0].glyphs if g.text == "W" and g.size >= 12.9]
    assert len(heading) == len(TITLE)
    bx, _, bw, _ = PAPER.body
    assert all(bx - TOLERANCE <= g.x0 and g.x1 <= bx + bw + TOLERANCE for g in heading)


def test_a_tall_photo_is_set_within_the_text_area_with_its_caption(sheet):
    """No taller than its share of the text area, narrower in proportion, clear of the title
    block, and its caption under it on the same page."""
    mm = layout.MM
    with pdfplumber.open(sheet) as pdf:
        placed = [(page, image) for page in pdf.pages for image in page.images]
        assert len(placed) == 1
        page, image = placed[0]
        box = layout.Rule(image["x0"] / mm, image["top"] / mm,
                          image["x1"] / mm, image["bottom"] / mm)
        caption = [w for w in page.extract_words() if w["text"] == "Kingfisher"]
    width, height = box.x1 - box.x0, box.bottom - box.top
    assert _in_text_area(box), box
    assert height <= PHOTO_HEIGHT_SHARE * PAPER.body[3] + 0.1
    assert width / height == pytest.approx(PHOTO[0] / PHOTO[1], rel=0.01)
    tx, ty, tw, th = PAPER.title_block
    assert box.bottom < ty or box.x1 < tx  # clear of the title block
    assert caption, "the caption is not on the photo's page"
    (word,) = caption
    assert 0 <= word["top"] / mm - box.bottom < 5  # just under it


@pytest.mark.parametrize("title", [
    "Choose the right transmission system for a long and winding road trip with all crew",
    TITLE,
], ids=["words", "one word"])
def test_a_title_too_long_for_a_narrow_contents_line_wraps_beside_its_folio(tmp_path, title):
    """On A5 a title of many words, or of one long word, is too long for the contents' line
    even at its least size: it wraps within the text area, its folio still at the line's
    end, every letter of it there."""
    paper = PAPERS["a5"]
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    edit(source, SHEET, "title: Start the engine", f"title: {title}")
    out = tmp_path / "out"
    build(load(source), out, options=Options(paper="a5", only=(1,)), processes=1)
    pages = layout.read(out / Options(paper="a5", only=(1,)).booklet_path(load(source)))
    contents = pages[1]
    # no glyph of it past the frame on any page: the cover, the contents, the sheet, and the
    # parts list, whose cell breaks a word longer than a column may hold (typeset.py)
    assert not [fault for page in pages for fault in layout.containment_faults(page, paper)]
    bx, _, bw, _ = paper.matter_body
    folio = [g for g in contents.glyphs if g.x1 > bx + bw - 8]
    assert layout.line_text(folio[:4]) == "01.1", layout.line_text(folio)
    above_the_title_block = "".join(g.text for g in contents.glyphs
                                    if g.bottom < paper.title_block[1])
    # every folio of the contents, the sheet's and its parts' (one a row on A5), ends at
    # the text's right edge
    rows = defaultdict(list)
    for g in contents.glyphs:
        if g.bottom < paper.title_block[1]:
            rows[round(g.baseline * 2)].append(g)
    folios = [sorted(row, key=lambda g: g.x0) for row in rows.values()]
    folios = [row[-4:] for row in folios if re.fullmatch(r"\d\d\.\d", layout.line_text(row[-4:]))]
    assert len(folios) >= 6  # the sheet's and its five parts'
    assert all(abs(row[-1].x1 - (bx + bw)) < 1 for row in folios), [
        (layout.line_text(row), row[-1].x1) for row in folios]
    for letter in set(title.upper()) - {" "}:  # the title whole, its end not cut off
        assert above_the_title_block.count(letter) >= title.upper().count(letter), letter
