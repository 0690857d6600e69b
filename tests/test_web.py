"""The web edition: every string of the data on its pages, links that resolve, nothing fetched
from elsewhere, the PDFs offered with their size and page count, an incremental build, and
no WCAG 2.1 A/AA violation found by axe-core in headless Chromium (tests/browser.py).

One site is built from the shipped sheets for the whole module, with stand-in PDFs (blank
pages written by pypdf) where the build would have put the real ones: what is measured is
what the site says of them, not their layout.
"""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import browser
import pytest
import yaml
from conftest import MINI, SHEETS
from pydantic import BaseModel
from pypdf import PdfWriter

from transfo_print import cli
from transfo_print.diagnostics import ContentError
from transfo_print.load import load
from transfo_print.model import default_labels
from transfo_print.options import DEFAULT_OPTIONS
from transfo_print.typeset import Typesetter
from transfo_print.typography import BREAK, typeset
from transfo_print.web import (
    COLOPHON,
    INDEX,
    STAMP,
    link_codes,
    sheet_page,
    write_site,
)

ADDRESS = "https://example.org/la-transfo/"
CODE_IN_TEXT = "Le volant (cr) tient le cap ; la roue (a) suit."
# Fields that name files, codes of the tool or places on a drawing: never printed as text.
NOT_PRINTED = {"drawing", "image", "highlight", "output", "sheets", "photos", "labels",
               "at", "text_at", "target", "date", "number"}


def _blank_pdf(path: Path, pages: int) -> None:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        writer.write(handle)


def _with_text(entry, text: str):
    """The sheet with `text` as the first block of its hypothesis."""
    hypothesis = entry.sheet.sections.hypothesis
    blocks = [hypothesis.blocks[0].model_copy(update={"text": text}), *hypothesis.blocks[1:]]
    sections = entry.sheet.sections.model_copy(
        update={"hypothesis": hypothesis.model_copy(update={"blocks": blocks})})
    return dataclasses.replace(entry, sheet=entry.sheet.model_copy(
        update={"sections": sections}))


@pytest.fixture(scope="module")
def book():
    """The shipped sheets, with a web address and a reference code typed in sheet 01's text."""
    loaded = load(SHEETS)
    publication = loaded.publication.model_copy(update={"web_address": ADDRESS})
    first = _with_text(loaded.sheets[0], CODE_IN_TEXT)
    return dataclasses.replace(loaded, publication=publication,
                               sheets=(first, *loaded.sheets[1:]))


@pytest.fixture(scope="module")
def site(book, tmp_path_factory):
    """The web edition of the shipped sheets, with every sheet's PDF (sheet n has n pages)
    and no booklet in the build folder."""
    build = tmp_path_factory.mktemp("build")
    for entry in book.sheets:
        _blank_pdf(build / DEFAULT_OPTIONS.sheet_path(entry), entry.sheet.number)
    result = write_site(book, build / "web", build)
    return build / "web", result


def _pages(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(folder.glob("*.html"))}


def _text(page: str) -> str:
    """What a reader reads: the page without its tags, entities decoded, spaces folded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


def _strings(value, key=None):
    """Every printed string of a piece of the model (pydantic models, lists, strings)."""
    if key in NOT_PRINTED:
        return
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, key)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name), name)


def _as_read(text: str, language: str) -> tuple[str, str]:
    """The text as the typography sets it, and as typed (a drawing's alternative and the
    band's ticker are not set)."""
    return (re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", "", str(
        typeset(text, language, quote_breaks=False))))), re.sub(r"[ \t\r\n]+", " ", text.strip()))


def test_every_string_of_the_data_is_on_its_page(book, site):
    folder, _ = site
    pages = _pages(folder)
    language = book.publication.language
    missing = []
    for entry in book.sheets:
        page = _text(pages[sheet_page(entry)])
        for key, text in _strings(entry.sheet):
            if not any(shown in page for shown in _as_read(text, language)):
                missing.append(f"{entry.slug}: {key}: {text[:60]}")
    everything = " ".join(_text(p) for p in pages.values())
    for key, text in _strings(book.publication):
        if not any(shown in everything for shown in _as_read(text, language)):
            missing.append(f"publication: {key}: {text[:60]}")
    assert not missing, "\n".join(missing)


def test_the_text_holds_no_invisible_break(site):
    """The break the PDFs give after a closing quote that a bracket follows (BREAK) is left
    to the browser, which finds it: nothing invisible is copied or searched."""
    folder, _ = site
    texts = [_text(page) for page in _pages(folder).values()]
    assert any(re.search("[»”] [(]", text) for text in texts)  # the case is in the data
    assert not any(BREAK in text for text in texts)


def test_names_are_not_hyphenated(site):
    """As in the PDFs (typeset.names_and_compounds_whole): the browser hyphenates the text,
    not names."""
    folder, _ = site
    pages = "".join(_pages(folder).values())
    assert '<span class="keep-whole">Mulhouse</span>' in pages
    assert ".keep-whole { hyphens: manual; }" in (folder / "assets" / "site.css").read_text()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))


def _parse(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def test_links_resolve_and_nothing_is_fetched_from_elsewhere(site):
    folder, _ = site
    parsed = {name: _parse(page) for name, page in _pages(folder).items()}
    broken, fetched = [], []
    for name, links in parsed.items():
        for tag, attribute, value in links.links:
            url = urlsplit(value)
            if url.scheme or value.startswith("//"):
                # Only a link the reader follows may leave the site; nothing is loaded.
                if tag != "a" or url.scheme not in ("http", "https"):
                    fetched.append(f"{name}: <{tag} {attribute}={value}>")
                continue
            target = (folder / unquote(url.path)) if url.path else folder / name
            if not target.is_file():
                broken.append(f"{name}: {value}")
            elif url.fragment and url.fragment not in parsed.get(target.name, _Links()).ids:
                broken.append(f"{name}: {value} (no id {url.fragment})")
    css = (folder / "assets" / "site.css").read_text("utf-8")
    for value in re.findall(r"url\(\s*[\"']?([^\"')]+)", css):
        if urlsplit(value).scheme or not (folder / "assets" / value).is_file():
            broken.append(f"site.css: url({value})")
    assert not broken, "\n".join(broken)
    assert not fetched, "\n".join(fetched)
    # Every page is reached from the index's links or the band of every page.
    reached = {urlsplit(v).path for links in parsed.values() for _, _, v in links.links}
    assert set(parsed) <= reached | {INDEX}


def test_sheet_pages_keep_the_drawing_sheet_and_link_codes_to_the_legend(book, site):
    folder, _ = site
    entry = book.sheets[0]
    page = (folder / sheet_page(entry)).read_text("utf-8")
    links = _parse(page)
    # The band's mentions, in the language they are written in.
    assert '<html lang="fr">' in page
    assert '<span lang="en">Sheet 01 OF 07</span>' in page
    assert '<span lang="en">( No Model )</span>' in page
    # The parts in order, each a heading.
    titles = re.findall(r"<h2 id=\"s01-(\w+)-title\"", page)
    assert titles == ["hypothesis", "observations", "lessons", "challenges", "testimonials"]
    # Each figure an inline SVG named by its text alternative; each callout's code a link
    # to its legend entry, which is text.
    # A code typed in the text links to the legend entry.
    assert '<p>Le volant <a class="code-ref" href="#s01-legend-cr">(cr)</a> tient le cap' in page
    assert '<a class="code-ref" href="#s01-legend-a">(a)</a> suit.</p>' in page
    svgs = re.findall(r'<svg [^>]*role="img"[^>]*><title>([^<]+)</title>', page)
    assert len(svgs) == len(entry.sheet.figures)
    assert html.unescape(svgs[0]) == entry.sheet.figures[0].alt
    for callout in entry.sheet.figures[0].callouts:
        anchor = f"s01-legend-{callout.code}"
        assert ("a", "href", f"#{anchor}") in links.links
        assert anchor in links.ids


def test_a_reference_code_in_the_text_links_to_its_legend_entry():
    text = typeset('Le volant (cr) et la roue (zz) : "(cr)"', "fr")
    linked = str(link_codes(text, {"cr": "#s01-legend-cr"}))
    assert linked.count('<a class="code-ref" href="#s01-legend-cr">(cr)</a>') == 2
    assert "(zz)" in linked and 'href="#s01-legend-zz"' not in linked
    # Inside a tag, never: only text is linked.
    assert str(link_codes(typeset("*(cr)*", "fr"), {"cr": "#x"})) == \
        '<em><a class="code-ref" href="#x">(cr)</a></em>'


def test_pdfs_are_offered_with_size_and_page_count(book, site):
    folder, result = site
    entry = book.sheets[2]  # three pages
    page = (folder / sheet_page(entry)).read_text("utf-8")
    copied = folder / "pdf" / f"{entry.slug}.pdf"
    size = round(copied.stat().st_size / 1000)
    assert f'<a href="pdf/{entry.slug}.pdf" download>La planche en PDF</a>' in page
    assert f"(PDF, {size}\u00a0ko, 3\u00a0pages)" in page
    assert "1\u00a0page)" in (folder / sheet_page(book.sheets[0])).read_text("utf-8")
    # No booklet was built: no link to it, a note instead, and the command says so.
    assert "la-transfo.pdf" not in page
    assert "Les PDF n’ont pas été joints à cette édition." in page
    assert [p.name for p in result.missing_pdfs] == ["la-transfo.pdf"]


def test_a_pdf_that_is_no_pdf_is_an_error_naming_it(tmp_path, capsys):
    broken = tmp_path / "sheets" / "01-start-the-engine.pdf"
    broken.parent.mkdir()
    broken.write_bytes(b"not a PDF")
    assert cli.main(["web", str(MINI), "--out", str(tmp_path / "web")]) == 1
    assert f"{broken}:1:1: error: cannot read this PDF" in capsys.readouterr().err


def test_the_colophons_name_the_web_address(book, site):
    folder, _ = site
    assert f'<a href="{ADDRESS}">{ADDRESS}</a>' in (folder / COLOPHON).read_text("utf-8")
    matter = Typesetter(book).matter_html([], "70.0")
    assert f"<dt>Édition web</dt><dd>{ADDRESS}</dd>" in matter


def test_web_address_is_checked_where_it_is_typed(tmp_path):
    source = tmp_path / "pub"
    source.mkdir()
    for path in MINI.iterdir():
        if path.is_file():
            (source / path.name).write_bytes(path.read_bytes())
    (source / "images").mkdir()
    for path in (MINI / "images").iterdir():
        (source / "images" / path.name).write_bytes(path.read_bytes())
    publication = source / "publication.yaml"
    text = publication.read_text("utf-8")
    publication.write_text(text + "web_address: ftp://example.org/\n", "utf-8")
    with pytest.raises(ContentError) as error:
        load(source)
    line = len(text.splitlines()) + 1
    assert f"publication.yaml:{line}:1: error: web_address: `ftp://example.org/` does not " \
        "have the expected form (^https?://" in str(error.value.problems[0])
    # Another language gives every label; without the web edition's, no address.
    labels = {k: v for k, v in default_labels("en").items() if k != "web"}
    other = text.replace("language: en", "language: de") + yaml.safe_dump(
        {"labels": labels, "web_address": ADDRESS}, allow_unicode=True)
    publication.write_text(other, "utf-8")
    with pytest.raises(ContentError) as error:
        load(source)
    assert [p.message.split(":")[0] for p in error.value.problems] == ["web_address"]
    assert "give `labels.web`" in error.value.problems[0].message


def test_the_build_is_incremental(book, tmp_path):
    out = tmp_path / "web"
    first = write_site(book, out, None)
    assert first.unchanged == 0 and len(first.written) > 10
    again = write_site(book, out, None)
    assert again.written == [] and again.unchanged == len(first.written)
    # One sheet's text edited: that page alone is written again.
    entry = book.sheets[3]
    lead = entry.sheet.sections.hypothesis.model_copy(update={"lead": "Un autre cap."})
    sections = entry.sheet.sections.model_copy(update={"hypothesis": lead})
    edited = dataclasses.replace(entry, sheet=entry.sheet.model_copy(
        update={"sections": sections}))
    sheets = tuple(edited if e is entry else e for e in book.sheets)
    changed = write_site(dataclasses.replace(book, sheets=sheets), out, None)
    # The index lists the leads too.
    assert sorted(p.name for p in changed.written) == sorted([INDEX, sheet_page(entry)])
    # A sheet taken out: its page goes, the stamp lists what is left.
    fewer = write_site(dataclasses.replace(book, sheets=sheets[:-1]), out, None)
    assert [p.name for p in fewer.removed] == [sheet_page(book.sheets[-1])]
    assert sheet_page(book.sheets[-1]) not in (out / STAMP).read_text("utf-8")


def test_the_command_builds_then_finds_the_site_up_to_date(tmp_path, capsys):
    out = tmp_path / "web"
    assert cli.main(["web", str(MINI), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "no " in printed.err and "field-notes.pdf" in printed.err
    assert (out / "images" / "workshop.jpg").is_file()
    assert '<html lang="en">' in (out / INDEX).read_text("utf-8")
    assert cli.main(["web", str(MINI), "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_pages_hold_no_script_and_watch_serves_them_with_a_reload(site):
    import urllib.request

    from transfo_print.serve import serve

    folder, _ = site
    assert not [name for name, page in _pages(folder).items() if "<script" in page]
    server = serve(folder, 0)  # any free port
    try:
        base = f"http://127.0.0.1:{server.server_port}/"
        with urllib.request.urlopen(base) as response:
            served = response.read().decode()
        with urllib.request.urlopen(base + STAMP) as response:
            stamp = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert served.replace(served[served.index("<script>"):served.index("</body>")], "") == \
        (folder / INDEX).read_text("utf-8")
    assert f'fetch("/{STAMP}"' in served and "location.reload()" in served
    assert stamp == (folder / STAMP).read_text("utf-8")


def test_photos_are_copied_and_grey_when_the_publication_says_so(tmp_path):
    from PIL import Image

    mini = load(MINI)
    write_site(mini, tmp_path / "colour", None)
    grey = dataclasses.replace(mini, publication=mini.publication.model_copy(
        update={"photos": "grey"}))
    write_site(grey, tmp_path / "grey", None)
    page = (tmp_path / "grey" / sheet_page(mini.sheets[1])).read_text("utf-8")
    assert '<img src="images/workshop.jpg" alt="">' in page
    assert (tmp_path / "colour" / "images" / "workshop.jpg").read_bytes() == \
        (MINI / "images" / "workshop.jpg").read_bytes()
    with Image.open(tmp_path / "grey" / "images" / "workshop.jpg") as photo:
        assert photo.mode == "L"


def test_watch_remakes_only_the_site_for_an_edit_of_its_layout(tmp_path):
    from transfo_print.paths import DEFAULT_LAYOUT
    from transfo_print.watch import Watcher
    from transfo_print.web import WEB_LAYOUT

    made = []
    watcher = Watcher(MINI, tmp_path / "build", DEFAULT_LAYOUT, report=made.append,
                      after=made.append, also_watch=(WEB_LAYOUT,))
    watcher.builder = object()  # pages already laid out: none is laid out again below
    watcher.rebuild([WEB_LAYOUT / "site.css"])
    assert [book.publication.title for book in made] == ["Field Notes"]


def test_every_page_passes_axe_core_in_chromium(site):
    """WCAG 2.1 A and AA rules (and axe's best practices) on every page, at a phone's width
    of 320 CSS pixels (what a 1280-pixel window shows at 400 % zoom: the text must reflow,
    not scroll sideways); the skip link first, and a visible focus."""
    folder, _ = site
    pages = sorted(p.name for p in folder.glob("*.html"))
    results = browser.axe_check(folder, pages)
    assert sorted(results) == pages
    problems = []
    for page, result in results.items():
        assert result["passes"] > 15, f"{page}: axe-core ran only {result['passes']} rules"
        for violation in result["violations"]:
            problems.append(f"{page}: {violation['id']} ({violation['impact']}): "
                            f"{violation['help']}: {violation['nodes'][:3]}")
        if result["overflow"]:
            problems.append(f"{page}: scrolls sideways at 320 px: {result['overflow']}")
        # The skip link comes first and shows when focused; focus is drawn, not only coloured.
        focus = result["focus"]
        if focus["first"] != "skip #content" or not focus["skip"]["inView"]:
            problems.append(f"{page}: the skip link is not first or not shown: {focus}")
        if min(focus["skip"]["outline"], focus["link"]["outline"]) < 2:
            problems.append(f"{page}: focus outline under 2 px: {focus}")
    assert not problems, "\n".join(problems)
