"""Print production: paper sizes, the print-shop booklet, imposed booklets, cards, and
byte-identical output for identical sources."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, ROOT, pdftotext
from pypdf import PdfReader

from transfo_print.cards import pages_of
from transfo_print.geometry import PAPERS
from transfo_print.impose import folding_order

MM = 72 / 25.4
N = None

# Worked out by hand: (left, right) of each printed side, front then back of each sheet.
ORDERS = {
    1: [(N, 1), (N, N)],
    2: [(2, 1), (N, N)],
    3: [(3, 1), (2, N)],
    4: [(4, 1), (2, 3)],
    5: [(5, 1), (2, N), (N, 3), (4, N)],
    8: [(8, 1), (2, 7), (6, 3), (4, 5)],
    9: [(9, 1), (2, N), (N, 3), (4, N), (8, 5), (6, 7)],
    28: [(28, 1), (2, 27), (26, 3), (4, 25), (24, 5), (6, 23), (22, 7), (8, 21),
         (20, 9), (10, 19), (18, 11), (12, 17), (16, 13), (14, 15)],
}


@pytest.mark.parametrize("pages", ORDERS)
def test_folding_order(pages):
    assert folding_order(pages) == ORDERS[pages]


def test_every_page_appears_once_and_blanks_only_before_the_back_cover():
    for pages in range(1, 40):
        sides = folding_order(pages)
        numbers = [n for side in sides for n in side if n is not None]
        assert sorted(numbers) == list(range(1, pages + 1))
        assert len(sides) * 2 % 4 == 0


def run(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "transfo_print", *args], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """The small publication built in every kind, once."""
    out = tmp_path_factory.mktemp("print")
    source = str(MINI)
    run("build", source, "--out", str(out))
    run("build", source, "--out", str(out), "--paper", "a3")
    run("build", source, "--out", str(out), "--paper", "letter")
    run("build", source, "--out", str(out), "--paper", "a5")
    said = run("build", source, "--out", str(out), "--press").stdout
    (out / "press-build.txt").write_text(said, "utf-8")
    run("build", source, "--out", str(out), "--only", "03,01")
    run("impose", "--source", source, "--build", str(out), "--out", str(out / "print"))
    run("cards", source, "--out", str(out / "print"))
    return out


def size_mm(page) -> tuple[int, int]:
    box = page.trimbox
    return round(float(box.width) / MM), round(float(box.height) / MM)


@pytest.mark.parametrize(("name", "size"), [
    ("field-notes.pdf", (210, 297)),
    ("field-notes-a3.pdf", (420, 297)),
    ("field-notes-letter.pdf", (216, 279)),
    ("field-notes-a5.pdf", (148, 210)),
    ("print/field-notes-print.pdf", (210, 297)),
    ("print/field-notes-a4-on-a3.pdf", (420, 297)),
    ("print/field-notes-a5-on-a4.pdf", (297, 210)),
    ("print/field-notes-cards.pdf", (210, 297)),
])
def test_page_sizes(outputs, name, size):
    for page in PdfReader(outputs / name).pages:
        assert size_mm(page) == size


def test_a3_has_the_iso_5457_grid_of_8_by_6_and_a4_of_4_by_6(outputs):
    for paper, columns, rows in (("a3", 8, 6), ("a4", 4, 6)):
        spec = PAPERS[paper]
        x, y, w, h = spec.frame
        cx, cy = spec.centre
        assert (len(spec.zones(x, w, cx)), len(spec.zones(y, h, cy))) == (columns, rows)
    text = pdftotext(outputs / "field-notes-a3.pdf", "-f", "3", "-l", "3")
    assert "Sheet 01 OF 03" in text


def test_print_shop_booklet_has_bleed_trim_marks_and_pdfx4(outputs):
    reader = PdfReader(outputs / "print" / "field-notes-print.pdf")
    for page in reader.pages:
        trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
        assert round(float(trim.width) / MM) == 210
        for inner, outer in ((trim.left, bleed.left), (trim.bottom, bleed.bottom)):
            assert round((float(inner) - float(outer)) / MM, 1) == 3.0
        assert float(media.left) < float(bleed.left)  # room for the crop marks
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFX"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    fonts = subprocess.run(["pdffonts", str(outputs / "print" / "field-notes-print.pdf")],
                           capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_the_print_shop_booklet_has_blank_pages_before_the_back_cover_to_fold(outputs):
    """A folded booklet has a multiple of four pages: the print shop's file is padded with
    blank pages before the back cover, which keep no label, and the pages after them keep
    theirs."""
    screen = PdfReader(outputs / "field-notes.pdf")
    press_path = outputs / "print" / "field-notes-print.pdf"
    press = PdfReader(press_path)
    pages, blanks = len(screen.pages), -len(screen.pages) % 4
    assert blanks, "the small publication no longer needs blank pages: this shows nothing"
    assert len(press.pages) == pages + blanks
    texts = [pdftotext(press_path, "-f", str(n), "-l", str(n)).strip()
             for n in range(1, len(press.pages) + 1)]
    assert [n for n, text in enumerate(texts) if not text] == list(
        range(pages - 1, pages - 1 + blanks))
    assert "COLOPHON" in texts[-1].upper()
    labels = screen.page_labels
    assert press.page_labels == labels[:-1] + [""] * blanks + labels[-1:]
    said = (outputs / "press-build.txt").read_text("utf-8")
    assert f"{pages + blanks} booklet pages, {blanks} blank page" in said, said


def test_blank_pages_inside_a_range_of_labels_split_it():
    from transfo_print.booklet import LabelRange, with_blank_pages

    front, sheet = LabelRange(0, 2, "/r"), LabelRange(2, 3, "/D", "01.")
    back = LabelRange(5, 2, "/r", start=3)  # iii, iv: blanks go between them
    assert with_blank_pages([front, sheet, back], 6, 2) == [
        front, sheet, LabelRange(5, 1, "/r", start=3), LabelRange(6, 2, ""),
        LabelRange(8, 1, "/r", start=4)]
    assert with_blank_pages([front, sheet, back], 6, 0) == [front, sheet, back]


def test_crop_marks_are_drawn_outside_the_trim(outputs, tmp_path):
    from PIL import Image

    pdf = outputs / "print" / "field-notes-print.pdf"
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-singlefile", "-gray",
                    "-png", str(pdf), str(tmp_path / "p")], check=True)
    image = Image.open(tmp_path / "p.png").convert("L")
    margin = round(10 / 25.4 * 50)  # the 10 mm outside the trim, at 50 dpi
    corner = image.crop((0, 0, margin + 2, margin - 4))  # marks run outward from the trim
    assert corner.getextrema()[0] < 128, "no crop mark in the top left corner"


def test_imposed_booklets_have_every_page_and_blanks_before_the_back_cover(outputs):
    for kind, booklet in (("a4-on-a3", "field-notes.pdf"), ("a5-on-a4", "field-notes-a5.pdf")):
        pages = len(PdfReader(outputs / booklet).pages)
        imposed = PdfReader(outputs / "print" / f"field-notes-{kind}.pdf")
        assert len(imposed.pages) == len(folding_order(pages))
    # the front of the outer sheet holds the back cover (left) and the cover (right)
    text = pdftotext(outputs / "print" / "field-notes-a4-on-a3.pdf", "-f", "1", "-l", "1")
    assert "FIELD NOTES" in text.upper() and "COLOPHON" in text.upper()


@pytest.mark.parametrize("kind", ["a4-on-a3", "a5-on-a4"])
def test_imposed_booklets_keep_version_metadata_and_size(outputs, kind):
    import pikepdf

    booklet = outputs / ("field-notes.pdf" if kind == "a4-on-a3" else "field-notes-a5.pdf")
    imposed = outputs / "print" / f"field-notes-{kind}.pdf"
    with pikepdf.open(booklet) as source, pikepdf.open(imposed) as pdf:
        assert pdf.pdf_version == source.pdf_version  # not 1.3: transparency, OpenType
        for key in ("/Title", "/Author", "/CreationDate", "/Producer"):
            assert pdf.docinfo[key] == source.docinfo[key]
        assert pdf.Root.Lang == source.Root.Lang
        xmp = pdf.Root.Metadata.read_bytes()
        # the document information and the XMP say the same (the Producer was pypdf's)
        assert f'pdf:Producer="{pdf.docinfo["/Producer"]}"'.encode() in xmp
        assert b"<dc:title>" in xmp and b"pdfuaid:part" not in xmp  # untagged: no UA claim
        assert "/StructTreeRoot" not in pdf.Root
        links = [a for page in pdf.pages for a in page.get("/Annots", [])
                 if a.get("/Subtype") == "/Link"]
        assert not [a for a in links if "/Dest" in a or "/GoTo" in str(a.get("/A", ""))]
    assert imposed.stat().st_size <= 1.5 * booklet.stat().st_size


def test_the_a5_booklet_is_imposed_on_a4_at_full_size(outputs):
    """The A5 pages two-up on A4 landscape as laid out: the title block of the cover (right
    half of the first side) and of the back cover (left half) measure their size 1:1, and
    no glyph is smaller than on the A5 page."""
    import layout

    paper = PAPERS["a5"]
    pdf = outputs / "print" / "field-notes-a5-on-a4.pdf"
    assert all(size_mm(page) == (297, 210) for page in PdfReader(pdf).pages)
    side = layout.read(pdf)[0]
    half = 297 / 2
    for left in (0.0, half):
        dx = left + (half - paper.width) / 2  # the page is centred in its half
        moved = layout.Page(side.number, [], [], [
            layout.Rule(m.x0 - dx, m.top, m.x1 - dx, m.bottom) for m in side.marks], [])
        assert not layout.title_block_faults(moved, paper, tolerance=0.2)
    assert min(g.size for g in side.glyphs) >= paper.least_pt - 0.01


def test_impose_says_which_booklet_a_kind_needs(outputs, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "transfo_print", "impose", "--source", str(MINI), "--build",
         str(tmp_path), "--out", str(tmp_path / "print")],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert "--paper a5" in result.stderr and "Traceback" not in result.stderr
    # a booklet given by name is imposed in the kind its page size calls for
    run("impose", str(outputs / "field-notes-a5.pdf"), "--out", str(tmp_path))
    assert [p.name for p in tmp_path.glob("*.pdf")] == ["field-notes-a5-on-a4.pdf"]
    letter = subprocess.run(
        [sys.executable, "-m", "transfo_print", "impose", str(outputs / "field-notes-letter.pdf"),
         "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert letter.returncode == 2 and "neither A4 nor A5" in letter.stderr


def test_card_crop_marks_are_inside_an_office_printers_printable_area(outputs, tmp_path):
    from PIL import Image

    dpi, edge = 100, 5  # office printers leave about 5 mm of every edge unprinted
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-gray",
                    "-png", str(outputs / "print" / "field-notes-cards.pdf"), str(tmp_path / "c")],
                   check=True)
    image = Image.open(tmp_path / "c.png").convert("L")
    band = round(edge / 25.4 * dpi) - 1
    width, height = image.size
    for box in ((0, 0, width, band), (0, height - band, width, height),
                (0, 0, band, height), (width - band, 0, width, height)):
        assert image.crop(box).getextrema()[0] > 128, f"ink within {edge} mm of the edge"
    # …and the marks are there, just inside: at the top end of the middle cut line.
    mark = image.crop((width // 2 - 3, band, width // 2 + 4, band + round(5 / 25.4 * dpi)))
    assert mark.getextrema()[0] < 128


def test_cards_fronts_and_backs_fall_on_each_other(outputs):
    pdf = outputs / "print" / "field-notes-cards.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) == 2  # three challenges: one sheet, front and back

    def quadrant(page: int, column: int, row: int) -> str:
        x, y = column * 105 * MM, row * 148.5 * MM
        return pdftotext(pdf, "-f", str(page), "-l", str(page), "-x", str(int(x)),
                         "-y", str(int(y)), "-W", str(int(105 * MM)),
                         "-H", str(int(148.5 * MM)))

    # front (column, row) -> back (1 - column, row) for duplex flipped on the long edge
    expected = {(0, 0): ("001-001", "START THE ENGINE"), (1, 0): ("002-001", "CHECK THE"),
                (0, 1): ("003-001", "PARK SAFELY")}
    for (column, row), (code, title) in expected.items():
        assert f"Challenge {code}" in quadrant(1, column, row)
        back = quadrant(2, 1 - column, row)
        assert code in back and title in back
    # in the file, the backs come in the fronts' order (the stylesheet mirrors them), which
    # is the order a screen reader reads them in
    assert pages_of(["a", "b", "c"])[1] == ("back", ["a", "b", "c", None])
    from ua_check import Audit

    cards = Audit(pdf)
    heard = " ".join(cards.text(e) for e in cards.elements("P") if e.page == 1)
    said = re.findall(r"00\d-001", heard)
    assert said == ["001-001", "002-001", "003-001"]


def test_a_workshop_booklet_of_chosen_sheets(outputs):
    text = pdftotext(outputs / "field-notes-sheets-01-03.pdf")
    assert "Sheet 01 OF 03" in text and "Sheet 03 OF 03" in text
    assert "Sheet 02 OF 03" not in text
    assert "Check the mirrors".upper() not in text.upper()
    assert "(k1)" in text and "(k3)" in text and "(k2)" not in text  # the parts list follows


@pytest.fixture(scope="module")
def built_again(tmp_path_factory) -> Path:
    """The outputs the byte comparison needs, built a second time from the same sources."""
    again = tmp_path_factory.mktemp("again")
    source = str(MINI)
    run("build", source, "--out", str(again))
    run("build", source, "--out", str(again), "--press")
    run("build", source, "--out", str(again), "--paper", "a5")
    run("impose", "--source", source, "--build", str(again), "--out", str(again / "print"))
    run("cards", source, "--out", str(again / "print"))
    return again


@pytest.mark.parametrize("name", [
    "field-notes.pdf", "sheets/01-start-the-engine.pdf", "print/field-notes-print.pdf",
    "print/field-notes-a4-on-a3.pdf", "print/field-notes-a5-on-a4.pdf",
    "print/field-notes-cards.pdf"])
def test_same_sources_same_bytes(outputs, built_again, name):
    assert (built_again / name).read_bytes() == (outputs / name).read_bytes()


def test_source_date_epoch_overrides_the_documents_dates(tmp_path):
    import os

    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    result = subprocess.run([sys.executable, "-m", "transfo_print", "build", str(MINI),
                             "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    meta = PdfReader(tmp_path / "field-notes.pdf").metadata
    assert meta["/CreationDate"].startswith("D:20231114221320")
