"""The build: typeset every sheet, lay each out once, write the sheet PDFs and the booklet."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import booklet, fitting, render
from .booklet import LabelRange
from .diagnostics import ContentError, Problem
from .geometry import FIT_STEPS
from .load import PUBLICATION_FILE
from .model import Book, BookSheet
from .options import DEFAULT_OPTIONS, Options
from .paths import DEFAULT_LAYOUT, FONTS
from .typeset import BLEED_MM, PARTS, Folio, Typesetter

ASSET_FOLDERS = ("figures", "images")  # inside the source folder


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


class Builder:
    """One build's shared state: the typesetter and the renderer (fonts, stylesheets,
    image cache). `build` uses it once; `watch` keeps it and lays out again only what
    changed."""

    def __init__(self, book: Book, layout: Path = DEFAULT_LAYOUT,
                 options: Options = DEFAULT_OPTIONS, html_dir: Path | None = None):
        self.layout = Path(layout)
        self.options = options
        self.html_dir = html_dir
        self.renderer = render.Renderer(
            layout, [layout, FONTS] + [book.folder / f for f in ASSET_FOLDERS],
            variant="pdf/x-4" if options.press else "pdf/ua-1",
            bleed_mm=BLEED_MM if options.press else None,
        )
        self.use(book)

    def use(self, book: Book) -> None:
        """Take a newly loaded book (same layout and options)."""
        self.book = book
        self.ts = Typesetter(book, self.layout, paper=self.options.paper,
                             press=self.options.press)

    def lay_out(self, html: str, name: str, source: Path):
        if self.html_dir is not None:
            self.html_dir.mkdir(parents=True, exist_ok=True)
            (self.html_dir / f"{name}.html").write_text(html, encoding="utf-8")
        try:
            return self.renderer.render(html)
        except render.FetchRefused as error:
            raise ContentError([Problem(source, 1, 1, str(error))]) from None

    def lay_out_sheet(self, entry: BookSheet) -> RenderedSheet:
        """Lay out a sheet, set again where words break badly or pages are too empty."""
        document = fitting.set_sheet(
            lambda keep_whole, step: self.lay_out(
                self.ts.sheet_html(entry, keep_whole, step), entry.slug, entry.path),
            self.ts.column_of, FIT_STEPS)
        return RenderedSheet(entry, document, {})

    def lay_out_matter(self, sheets: list[RenderedSheet]):
        """Front and back matter for these sheets; sets each sheet's folios."""
        publication_file = self.book.folder / PUBLICATION_FILE
        # Front matter needs the back matter's folios and the back matter needs the front
        # matter's length; a contents page that grows by a page costs one more pass.
        front_pages = 2
        while True:
            page = front_pages + 1
            for rendered in sheets:
                rendered.folios = _sheet_folios(rendered.entry, rendered.document, self.ts,
                                                page)
                page += len(rendered.document.pages)
            contents = [(r.entry, r.folios) for r in sheets]
            back = self.lay_out(
                self.ts.back_html(contents, front_pages, self.renderer.version),
                "back-matter", publication_file,
            )
            back_folios = {}
            for index, back_page in enumerate(back.pages):
                for anchor in ("parts-list", "colophon"):
                    if anchor in back_page.anchors and anchor not in back_folios:
                        back_folios[anchor.replace("-", "_")] = _roman(front_pages + index + 1)
            front = self.lay_out(self.ts.front_html(contents, back_folios), "front-matter",
                                 publication_file)
            if len(front.pages) == front_pages:
                return front, back
            front_pages = len(front.pages)

    def sheet_job(self, rendered: RenderedSheet) -> Job:
        number = rendered.entry.sheet.number
        labels = [LabelRange(0, len(rendered.document.pages), "/D", f"{number:02d}.")]
        # The title a reader hears first: what the sheet is, in the document's language.
        title = (f"{rendered.entry.sheet.title} — {self.book.publication.title} "
                 f"({number:02d}/{self.book.count:02d})")
        return Job(self.options.sheet_path(rendered.entry), rendered.document, labels, title)

    def booklet_job(self, sheets: list[RenderedSheet], front, back) -> Job:
        combined = booklet.combine([front] + [r.document for r in sheets] + [back])
        labels = [LabelRange(0, len(front.pages), "/r")]
        for rendered in sheets:
            labels.append(LabelRange(
                rendered.folios[""].page - 1, len(rendered.document.pages), "/D",
                f"{rendered.entry.sheet.number:02d}.",
            ))
        labels.append(LabelRange(len(combined.pages) - len(back.pages), len(back.pages), "/r",
                                 start=len(front.pages) + 1))
        return Job(self.options.booklet_path(self.book), combined, labels)

    def write(self, out: Path, jobs: list[Job], processes: int = 1) -> list[Path]:
        """Write every job's PDF, in `processes` processes, then put them all in place."""
        made = write_in_parallel(self.renderer, out, jobs, processes)
        # One build writes at a time into a folder, so its outputs always form one set.
        with booklet.output_lock(out):
            for temporary, target in made:
                booklet.replace(temporary, target)
        return [target for _, target in made]


@dataclass
class Job:
    """One PDF to write: where, from which laid-out document, with which page labels."""

    path: Path  # relative to the output folder
    document: object
    labels: list[LabelRange]
    title: str | None = None  # the document title, if not the HTML's

    @property
    def pages(self) -> int:
        return len(self.document.pages)


def write_in_parallel(renderer, out: Path, jobs: list[Job],
                      processes: int) -> list[tuple[Path, Path]]:
    """Write each job to a temporary file beside its target; (temporary, target) pairs.

    Layout is done; writing is independent for each PDF, so forked processes share the
    laid-out pages without copying them and write in parallel. Each PDF is still written
    whole by one process: one font subset per font and one tag tree in the booklet.
    """
    buckets: list[list[Job]] = [[] for _ in range(max(1, min(processes, len(jobs))))]
    for job in sorted(jobs, key=lambda j: -j.pages):  # largest first, to the lightest bucket
        min(buckets, key=lambda b: sum(j.pages for j in b)).append(job)
    planned = [[(booklet.temporary_beside(out / job.path), out / job.path, job)
                for job in bucket] for bucket in buckets]

    def write_bucket(items) -> None:
        for temporary, _, job in items:
            booklet.write_temporary(temporary, renderer.write(job.document, job.labels, job.title))

    children = []
    try:
        for items in planned[1:]:
            pid = os.fork()
            if pid == 0:  # child: write, then leave without running the parent's cleanup
                code = 0
                try:
                    write_bucket(items)
                except BaseException:
                    code = 1
                os._exit(code)
            children.append(pid)
        write_bucket(planned[0])
        failed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
        children = []
        if failed:
            raise RuntimeError(f"{len(failed)} writer process(es) failed")
    except BaseException:
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        for items in planned:
            for temporary, _, _ in items:
                temporary.unlink(missing_ok=True)
        raise
    return [(temporary, target) for items in planned for temporary, target, _ in items]


def build(
    book: Book,
    out: Path,
    layout: Path = DEFAULT_LAYOUT,
    html_dir: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    strict: bool = False,
    options: Options = DEFAULT_OPTIONS,
    processes: int = 1,
) -> BuildResult:
    """Build the outputs of `book` into `out`; raise ContentError if anything is wrong."""
    out = Path(out)
    chosen = select(book, options.only)
    result = BuildResult()
    warnings = render.EngineWarnings()
    for name in render.ENGINE_LOGGERS:
        logging.getLogger(name).addHandler(warnings)
    try:
        builder = Builder(book, layout, options, html_dir)
        # Each sheet is laid out once; its pages serve the sheet PDF and the booklet.
        sheets = []
        for entry in chosen:
            sheets.append(builder.lay_out_sheet(entry))
            progress(f"laid out {entry.slug} ({len(sheets[-1].document.pages)} pages)")
        front, back = builder.lay_out_matter(sheets)
        progress("laid out front and back matter")
        jobs = [] if options.press else [builder.sheet_job(r) for r in sheets]
        jobs.append(builder.booklet_job(sheets, front, back))
        result.pages = jobs[-1].pages
    finally:
        for name in render.ENGINE_LOGGERS:
            logging.getLogger(name).removeHandler(warnings)
    result.warnings = render.engine_problems(warnings.messages, Path(layout))
    if strict and result.warnings:
        raise ContentError(result.warnings)
    # Nothing is put in place before all of it is made (and checked, with --strict).
    result.outputs = builder.write(out, jobs, processes)
    progress(f"wrote {len(result.outputs)} PDFs ({result.pages} booklet pages)")
    return result
