"""The build: typeset every sheet, lay each out once, write the sheet PDFs and the booklet."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import booklet, render
from .booklet import LabelRange
from .diagnostics import ContentError, Problem
from .load import PUBLICATION_FILE
from .model import Book, BookSheet
from .paths import DEFAULT_LAYOUT, FONTS
from .typeset import BLEED_MM, PARTS, Folio, Typesetter

ASSET_FOLDERS = ("figures", "images")  # inside the source folder


@dataclass(frozen=True)
class Options:
    """What to make. The defaults are the A4 sheets and booklet for handing out."""

    paper: str = "a4"
    only: tuple[int, ...] = ()  # sheet numbers of a workshop booklet; () for all
    press: bool = False  # print-shop booklet: bleed, crop marks, PDF/X-4, no sheet PDFs

    def suffix(self) -> str:
        parts = [] if self.paper == "a4" else [self.paper]
        if self.only:
            parts.append("sheets-" + "-".join(f"{n:02d}" for n in self.only))
        return "".join(f"-{p}" for p in parts)

    def booklet_path(self, book: Book) -> Path:
        name = book.publication.output + self.suffix()
        return Path("print") / f"{name}-print.pdf" if self.press else Path(f"{name}.pdf")

    def sheet_path(self, entry: BookSheet) -> Path:
        return Path("sheets") / f"{entry.slug}{'' if self.paper == 'a4' else '-' + self.paper}.pdf"


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pages: int = 0


@dataclass
class RenderedSheet:
    entry: BookSheet
    document: object  # weasyprint.Document
    folios: dict[str, Folio]  # "" for the sheet, then each part present


def select(book: Book, only: tuple[int, ...]) -> list[BookSheet]:
    """The sheets to make, in order; a number that is not a sheet is a content error."""
    if not only:
        return list(book.sheets)
    numbers = {entry.sheet.number: entry for entry in book.sheets}
    unknown = [n for n in only if n not in numbers]
    if unknown:
        raise ContentError([Problem(
            book.folder / PUBLICATION_FILE, 1, 1,
            f"--only: no sheet {', '.join(f'{n:02d}' for n in unknown)} "
            f"(the sheets are 01 to {book.count:02d})")])
    return [numbers[n] for n in sorted(set(only))]


def _sheet_folios(entry: BookSheet, document, ts: Typesetter, first_page: int) -> dict:
    prefix = f"{entry.sheet.number:02d}."
    folios = {"": Folio(f"{prefix}1", first_page)}
    for part in PARTS:
        anchor = ts.anchor(entry, part)
        for index, page in enumerate(document.pages):
            if anchor in page.anchors:
                folios[part] = Folio(f"{prefix}{index + 1}", first_page + index)
                break
    return folios


def _roman(number: int) -> str:
    numerals = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    text = ""
    for value, letters in numerals:
        while number >= value:
            text += letters
            number -= value
    return text


def build(
    book: Book,
    out: Path,
    layout: Path = DEFAULT_LAYOUT,
    html_dir: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    strict: bool = False,
    options: Options = Options(),
) -> BuildResult:
    """Build the outputs of `book` into `out`; raise ContentError if anything is wrong."""
    out = Path(out)
    publication_file = book.folder / PUBLICATION_FILE
    chosen = select(book, options.only)
    result = BuildResult()
    ts = Typesetter(book, layout, paper=options.paper, press=options.press)
    warnings = render.EngineWarnings()
    for name in render.ENGINE_LOGGERS:
        logging.getLogger(name).addHandler(warnings)
    try:
        renderer = render.Renderer(
            layout, [layout, FONTS] + [book.folder / f for f in ASSET_FOLDERS],
            variant="pdf/x-4" if options.press else "pdf/ua-1",
            bleed_mm=BLEED_MM if options.press else None,
        )

        def lay_out(html: str, name: str, source: Path):
            if html_dir is not None:
                html_dir.mkdir(parents=True, exist_ok=True)
                (html_dir / f"{name}.html").write_text(html, encoding="utf-8")
            try:
                return renderer.render(html)
            except render.FetchRefused as error:
                raise ContentError([Problem(source, 1, 1, str(error))]) from None

        # Each sheet is laid out once; its pages serve the sheet PDF and the booklet.
        sheets: list[RenderedSheet] = []
        for entry in chosen:
            document = lay_out(ts.sheet_html(entry), entry.slug, entry.path)
            sheets.append(RenderedSheet(entry, document, {}))
            progress(f"laid out {entry.slug} ({len(document.pages)} pages)")

        # Front matter needs the back matter's folios and the back matter needs the front
        # matter's length; a contents page that grows by a page costs one more pass.
        front_pages = 2
        while True:
            page = front_pages + 1
            for rendered in sheets:
                rendered.folios = _sheet_folios(rendered.entry, rendered.document, ts, page)
                page += len(rendered.document.pages)
            contents = [(r.entry, r.folios) for r in sheets]
            back = lay_out(
                ts.back_html(contents, front_pages, renderer.version), "back-matter",
                publication_file,
            )
            back_folios = {}
            for index, back_page in enumerate(back.pages):
                for anchor in ("parts-list", "colophon"):
                    if anchor in back_page.anchors and anchor not in back_folios:
                        back_folios[anchor.replace("-", "_")] = _roman(front_pages + index + 1)
            front = lay_out(ts.front_html(contents, back_folios), "front-matter",
                            publication_file)
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        progress("laid out front and back matter")

        # Everything is written only once all of it was made (and checked, with --strict).
        pending: list[tuple[Path, bytes]] = []
        if not options.press:
            for rendered in sheets:
                number = rendered.entry.sheet.number
                labels = [LabelRange(0, len(rendered.document.pages), "/D", f"{number:02d}.")]
                target = out / options.sheet_path(rendered.entry)
                pending.append((target, renderer.write(rendered.document, labels)))
            progress(f"made {len(sheets)} sheet PDFs")

        # The booklet, from the same pages.
        combined = booklet.combine([front] + [r.document for r in sheets] + [back])
        labels = [LabelRange(0, len(front.pages), "/r")]
        for rendered in sheets:
            labels.append(LabelRange(
                rendered.folios[""].page - 1, len(rendered.document.pages), "/D",
                f"{rendered.entry.sheet.number:02d}.",
            ))
        labels.append(LabelRange(len(combined.pages) - len(back.pages), len(back.pages), "/r",
                                 start=len(front.pages) + 1))
        target = out / options.booklet_path(book)
        pending.append((target, renderer.write(combined, labels)))
        result.pages = len(combined.pages)
        progress(f"made {target.name} ({result.pages} pages)")
    finally:
        for name in render.ENGINE_LOGGERS:
            logging.getLogger(name).removeHandler(warnings)

    result.warnings = render.engine_problems(warnings.messages, Path(layout))
    if strict and result.warnings:
        raise ContentError(result.warnings)
    # One build writes at a time into a folder, so its outputs always form one set.
    with booklet.output_lock(out):
        for target, data in pending:
            booklet.write_atomic(target, data)
            result.outputs.append(target)
    return result
