"""The web edition: the publication as a static site, made from the same model as the PDFs.

`index.html` (the title, the sheets with their leads, links to every page and PDF), one page
per sheet, the parts list and the colophon, with the stylesheet, the fonts, the photos and
the PDFs beside them. Every link is relative and nothing is fetched from elsewhere, so the
site reads the same opened from disk and from any static host; no page needs a script.

The text goes through the same typesetter as the PDFs (labels, typography, part numbers,
drawings composed with their callouts); only the templates (layouts/web/) differ.

A build writes a file only when its bytes change, so an unchanged page keeps its date, and
removes the files an earlier build made that this one no longer makes (a sheet taken out).
The list of what it made, with a digest of each file, is the build stamp: `watch --web`
reloads the pages open in a browser when it changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import photos
from .diagnostics import ContentError, Problem, UsageError
from .inputs import read_input
from .model import Book, BookSheet, WebLabels
from .options import DEFAULT_OPTIONS
from .paths import FONTS, LAYOUTS, PUBLICATION_FILE
from .render import MAX_ASSET_BYTES
from .typeset import FONTS as TYPEFACES
from .typeset import Typesetter, names_and_compounds_whole, sub_in_text

WEB_LAYOUT = LAYOUTS / "web"
STAMP = ".build-stamp"  # what the last build made; `watch --web` polls it
ASSETS = "assets"  # the stylesheet and the fonts, under the site's root
DOWNLOADS = "pdf"  # the PDFs, copied so the site stands on its own on any host
IMAGES = "images"
STYLESHEET = "site.css"
INDEX, PARTS_LIST, COLOPHON = "index.html", "parts-list.html", "colophon.html"
# The band's ticker is decoration cut at the page's edge: enough repeats for a wide screen.
TICKER_REPEATS = 8
# "(cr)" in running text: a reference code, linked to its legend entry when the sheet has it.
CODE_REFERENCE = re.compile(r"\(([a-z][a-z0-9]{0,5})\)")


@dataclass(frozen=True)
class Download:
    href: str  # relative to the site's root
    text: str
    details: str  # "PDF, 412 kB, 6 pages"


@dataclass
class WebResult:
    written: list[Path] = field(default_factory=list)  # files whose bytes changed
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)
    missing_pdfs: list[Path] = field(default_factory=list)  # not built: no link offered


def sheet_page(entry: BookSheet) -> str:
    return f"{entry.slug}.html"


def legend_anchor(ts: Typesetter, entry: BookSheet, code: str) -> str:
    return f"{ts.anchor(entry)}-legend-{code}"


def link_codes(html: Markup, links: dict[str, str]) -> Markup:
    """`html` with each "(code)" of its text (never of its tags) linked to `links[code]`."""
    if not links:
        return html

    def link(match: re.Match) -> str:
        target = links.get(match[1])
        return f'<a class="code-ref" href="{target}">{match[0]}</a>' if target else match[0]

    return sub_in_text(html, CODE_REFERENCE, link)


def file_size(size: int, web: WebLabels) -> str:
    """412 kB, 1.2 MB (decimal units, as file managers show them), in the labels' words."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))}\u00a0{web.kilobytes}"
    number = f"{size / 1_000_000:.1f}".replace(".", web.decimal_separator)
    return f"{number}\u00a0{web.megabytes}"


def page_count(pdf: Path) -> int:
    """The PDF's pages; a file that is no PDF is an error naming it."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(pdf).pages)
    except (PyPdfError, OSError, ValueError) as error:
        raise ContentError([Problem(pdf, 1, 1, f"cannot read this PDF to offer it ({error}): "
                                    "build it again")]) from None


class Site:
    """Every file of the web edition of `book`, made in memory; `pdfs` is the folder the
    PDFs were built into (their links are left out where a PDF is not there)."""

    def __init__(self, book: Book, pdfs: Path | None, layout: Path = WEB_LAYOUT):
        pub = book.publication
        if pub.labels.web is None:
            raise ContentError([Problem(
                book.folder / PUBLICATION_FILE, 1, 1,
                f"labels.web: no labels of the web edition are shipped for language "
                f"`{pub.language}`: give them under `labels.web`")])
        self.book, self.pdfs, self.web = book, pdfs, pub.labels.web
        # Browsers break lines after a closing quote themselves: the text keeps no invisible
        # break (typography.BREAK) to be copied or searched.
        self.ts = Typesetter(book, layout, quote_breaks=False)
        self.offers = self._offers()
        # Not built: the pages leave their links out and say so.
        self.missing_pdfs = [pdfs / built if pdfs else built
                             for built, offer in self.offers.items() if offer is None]

        language = book.publication.language

        @jinja2.pass_context
        def typo(context, text):
            # On a sheet page, "(code)" in the text links to the code's legend entry; names
            # and compounds are not hyphenated, as in the PDFs.
            linked = link_codes(self.ts.typo(text), context.get("code_links") or {})
            return names_and_compounds_whole(linked, language)

        env = self.ts.env
        env.filters["typo"] = typo
        env.filters["plain"] = lambda text: self.ts.typo(text).striptags()
        env.globals.update(
            ts=self.ts, web=self.web, site=self,
            index=INDEX, parts_list=PARTS_LIST, colophon=COLOPHON,
            stylesheet=f"{ASSETS}/{STYLESHEET}", ticker_repeats=TICKER_REPEATS,
            typefaces=TYPEFACES, sheet_page=sheet_page,
            legend_anchor=lambda entry, code: legend_anchor(self.ts, entry, code),
        )

    # --- data prepared for the templates --------------------------------------------------

    def _download(self, built: Path, text: str) -> Download | None:
        """A PDF of the build folder, offered with its size and page count; None when it
        was not built."""
        source = self.pdfs / built if self.pdfs else None
        if source is None or not source.is_file():
            return None
        count = page_count(source)
        pages = f"{count}\u00a0{self.web.page if count == 1 else self.web.pages}"
        details = f"PDF, {file_size(source.stat().st_size, self.web)}, {pages}"
        return Download(f"{DOWNLOADS}/{built.name}", text, details)

    def _offers(self) -> dict[Path, Download | None]:
        """Every PDF the site offers, by where the build writes it."""
        booklet = DEFAULT_OPTIONS.booklet_path(self.book)
        offers = {booklet: self._download(booklet, self.web.booklet_pdf)}
        for entry in self.book.sheets:
            built = DEFAULT_OPTIONS.sheet_path(entry)
            offers[built] = self._download(built, self.web.sheet_pdf)
        return offers

    def booklet_download(self) -> Download | None:
        return self.offers[DEFAULT_OPTIONS.booklet_path(self.book)]

    def sheet_download(self, entry: BookSheet) -> Download | None:
        return self.offers[DEFAULT_OPTIONS.sheet_path(entry)]

    def furniture(self, entry: BookSheet | None, title: str) -> dict:
        """A page's band and title block: a sheet's, or (None) the publication's own sheet
        00 on the index, parts list and colophon, as in the PDFs."""
        marks = self.ts.marks(entry)
        return {"ticker": marks.ticker, "band_items": marks.band,
                "title_block": [(label, value) for _, label, value
                                in self.ts.title_block_values(title, marks)]}

    def figure_codes(self, entry: BookSheet, figure) -> list[tuple[str, str]]:
        return [(c.code, "#" + legend_anchor(self.ts, entry, c.code)) for c in figure.callouts]

    def photo_name(self, image: str) -> str:
        name = Path(image).name
        return name if self.book.publication.photos != "grey" else f"{Path(name).stem}.jpg"

    # --- the files ---------------------------------------------------------------------------

    def render(self, template: str, **context) -> bytes:
        return self.ts.template(template).render(**context).encode()

    def pages(self) -> dict[str, bytes]:
        pub, labels, ts = self.book.publication, self.book.publication.labels, self.ts
        sheets = list(self.book.sheets)
        pages = {
            INDEX: self.render("index.html.j2", page=INDEX, doc_title=pub.title,
                               booklet=self.booklet_download(), sheets=[
                                   (entry, self.sheet_download(entry)) for entry in sheets],
                               **self.furniture(None, labels.contents)),
            PARTS_LIST: self.render(
                "parts_list.html.j2", page=PARTS_LIST, doc_title=labels.parts_list,
                rows=[(entry, item) for entry in sheets for item in entry.sheet.legend],
                **self.furniture(None, labels.parts_list)),
            COLOPHON: self.render("colophon.html.j2", page=COLOPHON, doc_title=labels.colophon,
                                  **self.furniture(None, labels.colophon)),
        }
        for index, entry in enumerate(sheets):
            sheet = entry.sheet
            pages[sheet_page(entry)] = self.render(
                "sheet.html.j2", page=sheet_page(entry), doc_title=sheet.title, entry=entry,
                sheet=sheet, **self.furniture(entry, sheet.title),
                code_links={e.code: "#" + legend_anchor(ts, entry, e.code)
                            for e in sheet.legend},
                previous=sheets[index - 1] if index else None,
                next=sheets[index + 1] if index + 1 < len(sheets) else None,
                downloads=[d for d in (self.sheet_download(entry), self.booklet_download())
                           if d],
            )
        return pages

    def files(self) -> dict[str, bytes]:
        """Every file of the site, by its path from the site's root."""
        files = self.pages()
        layout = self.ts.layout
        files[f"{ASSETS}/{STYLESHEET}"] = read_input(layout / STYLESHEET, layout,
                                                     MAX_ASSET_BYTES)
        for font in sorted(FONTS.iterdir()):
            if font.suffix in (".ttf", ".otf", ".txt"):  # the fonts and their licences
                files[f"{ASSETS}/fonts/{font.name}"] = read_input(font, FONTS, MAX_ASSET_BYTES)
        for built, download in self.offers.items():
            if download:
                files[download.href] = (self.pdfs / built).read_bytes()
        for image in self._images():
            path = self.book.folder / image
            if self.book.publication.photos == "grey":  # a browser manages the colours
                data = photos.as_printed(path, self.book.folder, grey=True)
            else:
                data = read_input(path, self.book.folder, photos.MAX_BYTES)
            files[f"{IMAGES}/{self.photo_name(image)}"] = data
        return files

    def _images(self) -> list[str]:
        return sorted({block.image for entry in self.book.sheets
                       for part in ("hypothesis", "observations", "lessons")
                       for block in getattr(entry.sheet.sections, part).blocks
                       if block.image})


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf_digests(pdfs: Path) -> dict[str, str]:
    """The PDFs a site of `pdfs` may offer (the booklets and the sheets), by name, for the
    manifest: a rebuilt PDF makes the site again, with its new size and page count."""
    found = [*pdfs.glob("*.pdf"), *(pdfs / "sheets").glob("*.pdf")]
    return {str(p.relative_to(pdfs)): _digest(p.read_bytes()) for p in sorted(found)
            if p.is_file()}


def write_site(book: Book, out: Path, pdfs: Path | None, layout: Path = WEB_LAYOUT
               ) -> WebResult:
    """Write the web edition of `book` into `out`; only the files whose bytes changed."""
    from .booklet import write_atomic

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    site = Site(book, pdfs, layout)
    files = site.files()
    result = WebResult(missing_pdfs=site.missing_pdfs)
    try:
        before = json.loads((out / STAMP).read_text("utf-8")).get("files", {})
    except (OSError, ValueError):
        before = {}
    digests = {}
    for name, data in sorted(files.items()):
        digests[name] = _digest(data)
        target = out / name
        if target.is_file() and before.get(name) == digests[name] \
                and _digest(target.read_bytes()) == digests[name]:
            result.unchanged += 1
            continue
        write_atomic(target, data)
        result.written.append(target)
    inside = out.resolve()
    for name in sorted(set(before) - set(files)):  # made by an earlier build, not by this one
        target = out / name
        if target.is_file() and target.resolve().is_relative_to(inside):
            target.unlink()
            result.removed.append(target)
    if result.written or result.removed or not (out / STAMP).is_file():
        write_atomic(out / STAMP, json.dumps({"files": digests}, indent=1).encode())
    return result

