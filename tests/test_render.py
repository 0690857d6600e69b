"""The built PDFs: every word on the page, structure, metadata, fonts, tags, validity."""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from conftest import DATA, pdftotext
from pypdf import PdfReader

from transfo_print.geometry import PAPERS

FONT_FAMILIES = {"osifont", "EB-Garamond", "EB-Garamond-Italic", "DejaVu-Sans"}


def letters(text: str) -> str:
    """Only letters and digits, lower case, no accents: robust to hyphenation and spacing."""
    text = unicodedata.normalize("NFKD", re.sub(r"(\d)\s*[eè]me", r"\1e", text))
    return "".join(c for c in text.lower() if c.isalnum() and not unicodedata.combining(c))


def words(text: str) -> list[str]:
    text = re.sub(r"[‐\u00ad]\n(?=\w)", "", text)  # words hyphenated at a line end
    text = re.sub(r"(\d)\s+(er|re|es|e)\b", r"\1\2", text)  # superior ordinal letters
    text = unicodedata.normalize("NFKD", re.sub(r"(\d)\s*[eè]me", r"\1e", text.lower()))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.findall(r"\w+", text)


def body_text(pdf: Path, date: str = "04 MAI 2020") -> str:
    """Text of the page area inside the frame, without the band, title block and the
    date and number of part headings (which a reader of the text may place anywhere)."""
    mm = 72 / 25.4
    x, y, w, h = PAPERS["a4"].body
    # -raw: in the order the text is drawn, which is the reading order, column by column
    text = pdftotext(pdf, "-raw", "-x", str(int(x * mm)), "-y", str(int((y - 1) * mm)),
                     "-W", str(int(w * mm)), "-H", str(int((h + 2) * mm)))
    return re.sub(re.escape(date) + r"(\s*\( No Model \) N°\. \d{3}\.\d{3})?", " ", text)


def data_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("code", "number", "label", "ticker"):
                yield from data_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from data_strings(item)


def holds(printed: list[str], wanted: list[str], slack: int = 40) -> bool:
    """Whether `wanted` is printed in order, with at most `slack` other words between two
    of its words: what a page draws after its text (list marks, a drawing's codes, the
    legend when a page break falls beside it) may come between them in the file."""
    for start, word in enumerate(printed):
        if word != wanted[0]:
            continue
        position = start
        for next_word in wanted[1:]:
            window = printed[position + 1:position + 2 + slack]
            if next_word not in window:
                break
            position += 1 + window.index(next_word)
        else:
            return True
    return False


def test_every_text_of_the_data_is_on_its_sheet_and_in_the_booklet(built):
    booklet = words(body_text(built.booklet))
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        sheet_text = words(body_text(pdf))
        data = entry.sheet.model_dump(exclude_none=True)
        for text in data_strings(data["sections"]):
            assert holds(sheet_text, words(text)), f"{entry.slug}: missing {text[:60]!r}"
            assert holds(booklet, words(text)), f"booklet: missing {text[:60]!r}"
        for item in entry.sheet.legend:
            assert holds(sheet_text, words(item.label))
            assert f"({item.code})" in body_text(pdf)


def without_repeats(text: list[str], run: list[str]) -> list[str]:
    """`text` with every place where `run` comes twice or more in a row left out."""
    kept, position, size = [], 0, len(run)
    while position < len(text):
        repeats = 0
        while text[position + repeats * size:position + (repeats + 1) * size] == run:
            repeats += 1
        if repeats >= 2:
            position += repeats * size
        else:
            kept.append(text[position])
            position += 1
    return kept


def test_the_booklet_holds_the_source_words_in_order(built):
    from test_corrections import corrected  # the proof-reading is no loss of words

    source = words(corrected((DATA / "source.txt").read_text("utf-8")))
    printed = words(pdftotext(built.booklet, "-raw"))  # in the order drawn: by column
    # The band's ticker repeats a title as often as it fits: decoration, not text.
    for entry in built.book.sheets:
        ticker = words(entry.sheet.ticker or entry.sheet.title)
        source, printed = without_repeats(source, ticker), without_repeats(printed, ticker)
    matcher = difflib.SequenceMatcher(None, source, printed, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks())
    assert found / len(source) >= 0.995, f"{found}/{len(source)} source words found in order"


def test_every_sheet_page_says_which_sheet_it_is(built):
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        reader = PdfReader(pdf)
        label = f"Sheet {entry.sheet.number:02d} OF 07"
        for page in range(1, len(reader.pages) + 1):
            text = pdftotext(pdf, "-f", str(page), "-l", str(page))
            assert label in text, f"{pdf.name} page {page}"
            assert f"{entry.sheet.number:02d}.{page}" in text  # folio in the title block


def test_a_continued_part_says_so(built):
    texts = [pdftotext(pdf) for pdf in built.sheets]
    assert any("(SUITE)" in text for text in texts)


def test_page_counts_and_labels(built):
    reader = PdfReader(built.booklet)
    sheet_pages = [len(PdfReader(pdf).pages) for pdf in built.sheets]
    front = 2  # the cover and the contents, on one page each
    back = len(reader.pages) - front - sum(sheet_pages)
    assert back >= 1
    expected = ["i", "ii"]
    for number, count in enumerate(sheet_pages, 1):
        expected += [f"{number:02d}.{page}" for page in range(1, count + 1)]
    expected += ["iii", "iv", "v", "vi"][:back]
    assert reader.page_labels == expected


def test_bookmarks_one_per_sheet_with_its_parts(built):
    reader = PdfReader(built.booklet)
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    for entry in built.book.sheets:
        assert f"{entry.sheet.number:02d} {entry.sheet.title}" in titles
    # the item after a sheet's bookmark is the list of its parts
    flat = list(outline)
    position = next(i for i, item in enumerate(flat)
                    if not isinstance(item, list) and item.title.startswith("01 "))
    parts = [child.title for child in flat[position + 1]]
    assert parts == ["L’hypothèse", "Observations", "Enseignements", "Défis", "Témoignages"]
    assert {"Sommaire", "Nomenclature", "Colophon"} <= set(titles)


def test_metadata(built):
    reader = PdfReader(built.booklet)
    meta = reader.metadata
    assert meta.title == "La Transfo"
    assert meta.author == "La 27e Région"
    assert meta.subject and "La 27e Région" in meta.subject
    assert "innovation publique" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    if "SOURCE_DATE_EPOCH" not in os.environ:  # dates come from publication.yaml
        assert meta["/CreationDate"].startswith("D:20200504")


def pdffonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def test_fonts_are_embedded_and_only_the_vendored_ones(built):
    for pdf in [built.booklet, *built.sheets]:
        rows = pdffonts(pdf)
        assert rows
        for row in rows:
            family = row[0].split("+", 1)[-1]
            assert family in FONT_FAMILIES, (pdf.name, row[0])
            emb = row[-5]
            assert emb == "yes", (pdf.name, row)


def test_the_booklet_has_one_subset_per_font(built):
    # The sheets are written apart; the booklet joins their subsets of each face into one.
    names = [row[0] for row in pdffonts(built.booklet)]
    assert len(names) == len(set(names))
    assert len(names) <= len(FONT_FAMILIES)


def test_the_contents_links_lead_to_their_sheets_and_parts(built):
    reader = PdfReader(built.booklet)
    labels = reader.page_labels
    destinations = reader.named_destinations
    found = []
    for page in reader.pages[:2]:  # the cover and the contents
        for annotation in page.get("/Annots", []):
            name = str(annotation.get_object()["/Dest"])
            target = labels[reader.get_destination_page_number(destinations[name])]
            sheet = re.fullmatch(r"s(\d\d)(-\w+)?", name)
            if sheet:
                assert target.startswith(f"{sheet[1]}."), (name, target)
                if not sheet[2]:
                    assert target == f"{sheet[1]}.1"
            else:
                assert target in ("iii", "iv", "v", "vi"), (name, target)  # the back matter
            found.append(name)
    assert {f"s{entry.sheet.number:02d}" for entry in built.book.sheets} <= set(found)
    assert {"parts-list", "colophon"} <= set(found)


def structure_elements(node, depth=0):
    """Every element of a PDF structure tree, depth first."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if depth > 60:
        return
    if isinstance(node, dict):
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from structure_elements(node["/K"], depth + 1)
    elif isinstance(node, list):
        for child in node:
            yield from structure_elements(child, depth + 1)


@pytest.mark.parametrize("which", ["booklet", "sheet"])
def test_tagged_pdf_with_an_intact_structure_tree(built, which):
    pdf = built.booklet if which == "booklet" else built.sheets[0]
    root = PdfReader(pdf).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a PDF boolean object)
    tags = [str(e["/S"]) for e in structure_elements(root["/StructTreeRoot"])]
    sheets = 7 if which == "booklet" else 1
    assert tags.count("/H1") >= sheets
    assert tags.count("/H2") >= 4 * sheets
    assert tags.count("/P") > 10 * sheets


def test_qpdf_finds_every_pdf_sound(built):
    for pdf in [built.booklet, *built.sheets]:
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_element_ids_are_unique_across_the_booklet(built):
    ids: list[str] = []
    for html in sorted(built.html.glob("*.html")):
        ids += re.findall(r'\sid="([^"]+)"', html.read_text("utf-8"))
    assert len(ids) == len(set(ids))


def test_a_small_english_publication_is_another_folder(mini):
    reader = PdfReader(mini.booklet)
    text = pdftotext(mini.booklet)
    assert "Sheet 01 OF 03" in text and "Sheet 03 OF 03" in text
    assert "OF 07" not in text
    assert "Example Works Ltd" in text
    assert "9 NOVEMBER 2023" in text.upper().replace("09 NOVEMBER", "9 NOVEMBER")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    for french in ("Sommaire", "L’hypothèse", "La 27e", "Défi"):
        assert french not in text
    assert [pdf.name for pdf in sorted(mini.sheets)] == [
        "01-start-the-engine.pdf", "02-check-the-mirrors.pdf", "03-park-safely.pdf"]


def test_every_character_is_in_a_vendored_font(built):
    from html.parser import HTMLParser

    from fontTools.ttLib import TTFont

    class Text(HTMLParser):
        chars: set[str] = set()
        skip = 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "title", "script")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "title", "script")

        def handle_data(self, data):
            if not self.skip:
                self.chars.update(c for c in data if not c.isspace() or c in "\u00a0\u202f")

    parser = Text()
    for html in built.html.glob("*.html"):
        parser.feed(html.read_text("utf-8"))
    covered: set[int] = set()
    for font in (Path(__file__).resolve().parent.parent / "fonts").glob("*.[ot]tf"):
        covered |= set(TTFont(font).getBestCmap())
    missing = sorted(c for c in parser.chars if ord(c) not in covered)
    assert not missing, f"characters no vendored font has: {missing}"
    assert "☛" in parser.chars and "\u202f" in parser.chars  # the fallbacks are exercised


def test_every_sheet_has_its_two_drawings_and_they_stay_vector(built):
    from pypdf.generic import IndirectObject

    for entry in built.book.sheets:
        figures = entry.sheet.figures
        assert len(figures) == 2 and all(f.drawing for f in figures), entry.slug
        assert figures[1].drawing == "figures/vehicle.svg" and figures[1].highlight
        assert {c.code for c in figures[0].callouts} == {e.code for e in entry.sheet.legend}
    for pdf in [built.booklet, *built.sheets]:
        for page in PdfReader(pdf).pages:
            xobjects = page.get("/Resources", {}).get("/XObject", {})
            for obj in xobjects.values():
                obj = obj.get_object() if isinstance(obj, IndirectObject) else obj
                assert obj.get("/Subtype") != "/Image", f"raster image in {pdf.name}"


def test_each_drawing_has_a_text_alternative_naming_its_legend(built):
    root = PdfReader(built.sheets[0]).trailer["/Root"]
    alts = [str(e["/Alt"]) for e in structure_elements(root["/StructTreeRoot"])
            if e["/S"] == "/Figure" and "/Alt" in e]
    detail = alts[0]  # the sheet's own drawing: its alternative names what it points at
    for entry in built.book.sheets[0].sheet.legend:
        assert f"({entry.code}) {entry.label}" in detail


def _images(pdf: Path) -> list:
    from pypdf.generic import IndirectObject

    found = {}  # pages may share one resource dictionary: count each object once
    for page in PdfReader(pdf).pages:
        for ref in page.get("/Resources", {}).get("/XObject", {}).values():
            obj = ref.get_object() if isinstance(ref, IndirectObject) else ref
            if obj.get("/Subtype") == "/Image":
                found[getattr(ref, "idnum", id(obj))] = obj
    return list(found.values())


def test_a_photo_is_printed_with_its_caption_and_a_qr_code_with_its_address(mini):
    sheet = mini.out / "sheets" / "02-check-the-mirrors.pdf"
    (photo,) = _images(sheet)
    assert photo["/Width"] == 600
    text = pdftotext(sheet)
    assert "a photo caption of sheet 2" in text
    # a line may break after a hyphen of the address; pdftotext then drops the hyphen
    assert "https://example.org/videos/check-the-mirrors" in pdftotext(sheet, "-raw").replace(
        "\n", "")
    html = (mini.html / "02-check-the-mirrors.html").read_text("utf-8")
    assert html.count('class="qr"') == 1
    for other in ("01-start-the-engine", "03-park-safely"):  # no address, no code
        assert 'class="qr"' not in (mini.html / f"{other}.html").read_text("utf-8")
        assert _images(mini.out / "sheets" / f"{other}.pdf") == []


def test_photos_in_grey_when_the_publication_asks(tmp_path):
    import shutil

    from conftest import MINI, _build, edit

    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    edit(source, "publication.yaml", "document_type:", "photos: grey\ndocument_type:")
    built = _build(source, tmp_path / "out")
    (photo,) = _images(built.out / "sheets" / "02-check-the-mirrors.pdf")
    assert photo["/ColorSpace"] == "/DeviceGray"
