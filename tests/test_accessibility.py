"""Accessibility: every tagged PDF meets the machine-checkable conditions of PDF/UA-1 that
apply to it (ua_check.py walks the structure tree and the content streams), for the shipped
publication, a small English one and the cards; and the checker fails on a file the layout
engine wrote without repairs."""

from __future__ import annotations

import io
import re
import shutil

import pikepdf
from conftest import MINI, SHEETS
from ua_check import HEADING, Audit, audit

from transfo_print import fitting, tagging
from transfo_print.build import Builder
from transfo_print.cards import cards_of, make_cards, pages_of
from transfo_print.impose import IMPOSITIONS, impose
from transfo_print.load import load
from transfo_print.paths import DEFAULT_LAYOUT, FONTS
from transfo_print.render import Renderer


def words_in_order(text: str) -> list[str]:
    """Words of three letters or more, as a listener hears them (typography undone)."""
    text = text.replace("’", "'").replace("*", "")
    return [w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)]


def words(text: str) -> set[str]:
    return set(words_in_order(text))


def sheet_texts(sheet) -> list[str]:
    """The paragraphs and list items a sheet's data holds."""
    texts = []
    for part in ("hypothesis", "observations", "lessons"):
        for block in getattr(sheet.sections, part).blocks:
            texts += [t for t in (block.text, block.heading) if t]
    texts += [c.text for c in sheet.sections.challenges.items]
    return texts


# --- every output passes the checker ------------------------------------------------------


def test_every_sheet_and_the_booklet_pass(built):
    problems = [p for pdf in [built.booklet, *built.sheets] for p in audit(pdf)]
    assert problems == []


def test_a_small_english_publication_passes(mini):
    problems = [p for pdf in [mini.booklet, *mini.sheets] for p in audit(pdf)]
    assert problems == []


def test_a_generated_publication_of_ten_sheets_passes(generated):
    """Ten sheets in English, three with long titles: a longer contents and parts list."""
    outputs = [generated.booklet] + generated.sheets
    assert [p for pdf in outputs for p in audit(pdf)] == []
    assert len(Audit(generated.booklet).elements("Art")) == 10


def test_the_cards_pass(tmp_path):
    cards = tmp_path / "cards.pdf"
    cards.write_bytes(make_cards(load(SHEETS)))
    assert audit(cards) == []


def test_each_face_of_a_card_has_a_heading(tmp_path):
    """A listener finds each card by its heading, in reading order: the front's code
    ("Défi 001-001"), the back's title; all H1, the cards standing side by side."""
    book = load(SHEETS)
    path = tmp_path / "cards.pdf"
    path.write_bytes(make_cards(book))
    cards = Audit(path)
    headings = [h for h in cards.elements() if HEADING.match(f"/{h.tag}")]
    expected = [f"{book.publication.labels.challenge} {card.code}" if side == "front"
                else card.entry.sheet.title
                for side, cells in pages_of(cards_of(book)) for card in cells if card]
    said = [re.findall(r"\w+", cards.text(h).lower()) for h in headings]
    assert said == [re.findall(r"\w+", text.lower()) for text in expected]
    assert {h.tag for h in headings} == {"H1"}


# --- what the conditions mean on these pages -------------------------------------------


def test_one_article_per_sheet_with_one_h1(built):
    for pdf in built.sheets:
        articles = Audit(pdf).elements("Art")
        assert len(articles) == 1, pdf.name
    booklet = Audit(built.booklet)
    assert len(booklet.elements("Art")) == len(built.book.sheets)
    for art, entry in zip(booklet.elements("Art"), built.book.sheets, strict=True):
        [h1] = [e for e in art.walk() if e.tag == "H1"]
        assert words(booklet.text(h1)) == words(entry.sheet.title)


def test_furniture_is_not_read(built):
    """The band, ticker, frame and title block are artifacts: the sheet's title is heard
    once (its heading), the title block's field names never."""
    labels = built.book.publication.labels.title_block
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        checked = Audit(pdf)
        heard = checked.tagged_text()
        assert heard.lower().count(entry.sheet.title.lower()) == 1, entry.slug
        for name in (labels.owner, labels.type, labels.revision, labels.creator):
            assert name.lower() not in heard.lower(), (entry.slug, name)
        # the frame's zone labels (A to F, 1 to 4, on four sides of every page)
        tagged = {m for e in checked.elements() for m in e.mcids}
        zones = [t for m, t in checked.said.items() if m in tagged and re.fullmatch(
            r"[A-Z0-9]", t.strip())]
        assert len(zones) < 4, (entry.slug, zones)


def test_every_word_of_the_data_is_heard_whole(built):
    """No hyphenated word cut in two, no two words of consecutive lines run together."""
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        heard = words(Audit(pdf).tagged_text())
        expected = set().union(*(words(t) for t in sheet_texts(entry.sheet)))
        missing = sorted(expected - heard)
        assert not missing, (entry.slug, missing[:10])


def test_a_paragraph_is_one_element_across_columns_and_pages(built):
    """A paragraph that runs on into the next column or onto the next page is one P, heard
    in one go: the tagger makes an element of each column and each page (tagging.py joins
    them), which would cut the paragraph, and a word hyphenated there, in two."""
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        checked = Audit(pdf)
        heard = [" ".join(words_in_order(checked.text(p))) for p in checked.elements("P")]
        paragraphs = [block.text for part in ("hypothesis", "observations", "lessons")
                      for block in getattr(entry.sheet.sections, part).blocks if block.text]
        cut = [text[:50] for text in paragraphs
               if not any(" ".join(words_in_order(text)) in said for said in heard)]
        assert not cut, (entry.slug, cut)


def test_signs_beside_the_text_are_not_heard(built):
    """The challenges' ☛ and the notes' ▣ are aria-hidden in the HTML, which the engine
    does not heed: they are artifacts, printed and not read."""
    for pdf in built.sheets:
        checked = Audit(pdf)
        printed = "".join(run.text for page in checked.pdf.pages for run in tagging.runs(page))
        assert "☛" in printed or "▣" in printed
        assert not {"☛", "▣"} & set(checked.tagged_text()), pdf.name


def test_challenges_are_one_list_in_every_sheet_and_the_booklet(built):
    """A sheet's challenges are heard as one list, L › LI › Lbl, LBody: an item per
    challenge in order, its number as the label. The markup sets them as paragraphs (a
    <ul> would move their boxes); the repair tags them as the markup's data-pdf-tag says."""
    labels = built.book.publication.labels
    booklet = Audit(built.booklet)
    for entry, pdf, art in zip(built.book.sheets, built.sheets, booklet.elements("Art"),
                               strict=True):
        expected = [(f"{labels.challenge} {c.number:03d}" if c.number else "",
                     words_in_order(c.text)) for c in entry.sheet.sections.challenges.items]
        for checked, root in ((Audit(pdf), None), (booklet, art)):
            [part] = [e for e in (root or checked.root).walk() if e.tag == "Sect" and any(
                h.tag == "H2" and words(checked.text(h)) == words(labels.challenges)
                for h in e.walk())]
            [challenges] = [kid for kid in part.kids if kid.tag == "L"]
            heard = [("".join(checked.text(k) for k in item.kids if k.tag == "Lbl").strip(),
                      words_in_order(checked.text(item.kids[-1]))) for item in challenges.kids]
            assert [item.tag for item in challenges.kids] == ["LI"] * len(expected)
            assert heard == expected, (pdf.name, root is not None)


def test_figures_say_what_the_drawing_shows(built):
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        checked = Audit(pdf)
        alts = [str(f.obj["/Alt"]) for f in checked.elements("Figure")]
        assert alts == [f.alt for f in entry.sheet.figures if f.drawing], entry.slug


def test_a_drawing_s_label_is_its_caption(built):
    """Each drawing's label ("Fig.cc") is the Caption after its Figure, the two grouped in
    a Div, in every sheet and in the booklet: in the engine's NonStruct the label stood
    loose beside the drawing, and inside the Figure its /Alt would hide it."""
    booklet = Audit(built.booklet)
    for entry, pdf, art in zip(built.book.sheets, built.sheets, booklet.elements("Art"),
                               strict=True):
        expected = [("Div", ["Figure", "Caption"], f.label)
                    for f in entry.sheet.figures if f.drawing]
        for checked, root in ((Audit(pdf), None), (booklet, art)):
            figures = [e for e in (root or checked.root).walk() if e.tag == "Figure"]
            grouped = [(f.parent.tag, [k.tag for k in f.parent.kids],
                        checked.text(f.parent.kids[-1]).strip()) for f in figures]
            assert grouped == expected, (pdf.name, root is not None)


def test_links_say_where_they_go(built):
    booklet = Audit(built.booklet)
    said = [str(a.Contents) for page in booklet.pdf.pages for a in page.get("/Annots", [])]
    assert said
    assert len(said) == len(booklet.elements("Link"))  # one tab stop per link
    for entry in built.book.sheets:
        assert any(entry.sheet.title in s for s in said), entry.slug
    assert not any(re.fullmatch(r"s\d\d(-\w+)?", s) for s in said)


def test_titles_say_what_the_document_is(built):
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        title = Audit(pdf).title()
        assert entry.sheet.title in title and built.book.publication.title in title
    assert Audit(built.booklet).title() == built.book.publication.title


def test_headings_hold_their_words_only(built):
    labels = built.book.publication.labels
    parts = {frozenset(words(getattr(labels, p))) for p in
             ("hypothesis", "observations", "lessons", "challenges", "testimonials")}
    sheet = Audit(built.sheets[0])
    for h2 in sheet.elements("H2"):
        assert frozenset(words(sheet.text(h2))) in parts, sheet.text(h2)


def _article(tmp_path, paragraph: str) -> Audit:
    """A French article of one paragraph (HTML), laid out, written and read back."""
    renderer = Renderer(DEFAULT_LAYOUT, [DEFAULT_LAYOUT, FONTS])
    document = renderer.render(
        '<html lang="fr"><head><title>Essai</title></head><body><article><h1>Essai</h1>'
        f"<p>{paragraph}</p></article></body></html>")
    pdf = tmp_path / "article.pdf"
    pdf.write_bytes(renderer.write(document, [], title="Essai"))
    return Audit(pdf)


def test_text_in_another_language_is_tagged_with_it(tmp_path):
    checked = _article(tmp_path, 'Une planche <span lang="en">Sheet 01 OF 07</span> en français.')
    tagged = {checked.text(e): str(e.obj.get("/Lang", "")) for e in checked.elements("Span")}
    assert tagged.get("Sheet 01 OF 07") == "en"
    assert checked.check() == []


def test_the_space_between_two_inline_elements_is_heard(tmp_path):
    """The engine marks the space between two inline elements as a Span and draws nothing
    in it: "*agents* *publics*" and names kept whole side by side were heard as one word."""
    checked = _article(tmp_path, "Les <em>agents</em> <em>publics</em> des "
                                 "<span>Rencontres</span> <span>Ouvertes</span> ici.")
    (paragraph,) = checked.elements("P")
    assert " ".join(checked.text(paragraph).split()) == (
        "Les agents publics des Rencontres Ouvertes ici.")
    assert checked.check() == []


def test_a_table_across_pages_has_one_header_row_every_cell_finds(tmp_path):
    """The engine repeats a table's header row on each page it runs onto and names header
    cells by IDs it gives no IDTree for: the header is heard once, with its scope, and each
    data cell's /Headers resolve to it (Matterhorn 15-003)."""
    renderer = Renderer(DEFAULT_LAYOUT, [DEFAULT_LAYOUT, FONTS])
    rows = "".join(f"<tr><td>{i}</td><td>Part {i}</td></tr>" for i in range(150))
    document = renderer.render(
        '<html lang="en"><head><title>Parts</title></head><body><table><thead><tr>'
        f'<th>No.</th><th>Name</th></tr></thead><tbody>{rows}</tbody></table></body></html>')
    assert len(document.pages) >= 2  # 150 rows: more than a page on any engine
    pdf = tmp_path / "table.pdf"
    pdf.write_bytes(renderer.write(document, [], title="Parts"))
    checked = Audit(pdf)
    assert checked.check() == []
    assert [len(checked.elements(kind)) for kind in ("THead", "TH", "TD")] == [1, 2, 300]
    tree = checked.pdf.Root.StructTreeRoot
    assert len(tree.IDTree.Names) == 4  # two header cells, each named once


def test_a_page_without_text_is_written_and_tagged(tmp_path):
    """A page whose only text is left out for screen readers (here, all of it: a drawing
    sheet's furniture is) or that has none: the line ends' repair has nothing to do."""
    renderer = Renderer(DEFAULT_LAYOUT, [DEFAULT_LAYOUT, FONTS])
    document = renderer.render(
        '<html lang="en"><head><title>Blank</title></head><body>'
        '<div aria-hidden="true">Sheet 01 OF 07</div>'
        '<p style="break-before: page"></p></body></html>')
    assert len(document.pages) == 2
    pdf = tmp_path / "blank.pdf"
    pdf.write_bytes(renderer.write(document, [], title="Blank"))
    assert Audit(pdf).check() == []


def test_check_warns_of_a_drawing_without_alternative(tmp_path):
    source = tmp_path / "sheets"
    shutil.copytree(SHEETS, source)
    sheet = next(source.glob("01-*.yaml"))
    sheet.write_text("\n".join(line for line in sheet.read_text().splitlines()
                               if "alt:" not in line) + "\n")
    warnings = [p for p in load(source).warnings if "alt" in p.message]
    assert len(warnings) == 2 and all(p.path == sheet for p in warnings)


def test_imposed_files_do_not_claim_to_be_accessible(built):
    """Imposition has no reading order: the imposed files are untagged and say nothing of
    PDF/UA (README, Accessibility). The A4 booklet here; both kinds in test_print.py."""
    for kind in (k for k, spec in IMPOSITIONS.items() if spec.paper == "a4"):
        imposed = pikepdf.open(io.BytesIO(impose(built.booklet, kind)))
        assert "/StructTreeRoot" not in imposed.Root
        assert b"pdfuaid:part" not in imposed.Root.Metadata.read_bytes()  # the rest is kept


# --- the checker can fail -------------------------------------------------------------


def test_the_checker_fails_on_the_engine_output(tmp_path):
    """The same sheet, written by the layout engine without the repairs: the checker finds
    the furniture, the pieces split by page breaks and the orphan elements."""
    book = load(MINI)
    builder = Builder(book)
    layouts = builder.sheet_layout(book.sheets[0], [])  # laid out as a build does
    document = layouts.furnished(fitting.set_sheet(layouts, builder.ts.column_of,
                                                   builder.ts.paper.fit_steps))
    raw = tmp_path / "raw.pdf"
    raw.write_bytes(document.write_pdf(pdf_variant="pdf/ua-1"))
    problems = "\n".join(audit(raw))
    assert "without /Alt" in problems and "not on its page" in problems  # the frame
    assert "is not in the structure tree" in problems  # title block, "continued" line
    assert "is not in the tree" in problems  # orphan structure elements
    repaired = tmp_path / "repaired.pdf"
    repaired.write_bytes(tagging.repair(raw.read_bytes(), document))
    assert audit(repaired) == []


def test_the_checker_finds_a_list_item_without_body(tmp_path, built):
    pdf = pikepdf.open(built.sheets[0])
    checked = Audit(built.sheets[0])
    item = pdf.get_object(checked.elements("LI")[0].obj.objgen)
    item.K = pikepdf.Array([k for k in item.K if k.get("/S") != "/LBody"])
    broken = tmp_path / "broken.pdf"
    pdf.save(broken)
    assert any("LI without LBody" in p for p in audit(broken))
