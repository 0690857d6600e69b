"""The build: typeset every sheet, lay each out once, write the sheet PDFs and the booklet."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import booklet, fitting, render
from .booklet import LabelRange
from .diagnostics import ContentError, Interrupted, Problem, UsageError
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


# --- stopping cleanly ---------------------------------------------------------------------

_received: list[int] = []  # signals received during this process's build


def _on_signal(signum, frame):
    _received.append(signum)
    raise Interrupted(signum)


@contextlib.contextmanager
def interrupts():
    """SIGINT and SIGTERM stop the build. The layout engine swallows any exception while it
    paints an SVG (even KeyboardInterrupt), so the signal is also recorded, and `stop_point`
    raises it again after each step."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stop_point() -> None:
    if _received:
        raise Interrupted(_received[0])


@contextlib.contextmanager
def engine_log():
    """What the layout engine logs meanwhile, gathered instead of printed."""
    log = render.EngineWarnings()
    for name in render.ENGINE_LOGGERS:
        logging.getLogger(name).addHandler(log)
    try:
        yield log
    finally:
        for name in render.ENGINE_LOGGERS:
            logging.getLogger(name).removeHandler(log)


def check_outputs(out: Path, paths: list[Path]) -> None:
    """Every output can be put in place: found before any layout, as a usage error."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    for path in paths:
        target = out / path
        for parent in reversed(target.relative_to(out).parents[:-1]):
            if (out / parent).exists() and not (out / parent).is_dir():
                raise UsageError(f"{out / parent} is a file: the folder for {target} goes there")
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise UsageError(f"{target} is not a plain file: a PDF goes there")
    try:
        for path in paths:
            (out / path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the output folder {error.filename}: "
                         f"{error.strerror}") from None
    for folder in {(out / path).parent for path in paths}:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write into {folder}")


def output_paths(book: Book, options: Options, sheets: list[BookSheet]) -> list[Path]:
    """What a build of these sheets writes, relative to the output folder."""
    paths = [] if options.press else [options.sheet_path(entry) for entry in sheets]
    return [*paths, options.booklet_path(book)]


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
        try:
            self.renderer = render.Renderer(
                layout, [layout, FONTS] + [book.folder / f for f in ASSET_FOLDERS],
                variant="pdf/x-4" if options.press else "pdf/ua-1",
                bleed_mm=BLEED_MM if options.press else None,
            )
        except render.FetchRefused as error:
            raise ContentError([Problem(self.layout, 1, 1, str(error))]) from None
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
            document = self.renderer.render(html)
        except render.FetchRefused as error:
            raise ContentError([Problem(source, 1, 1, str(error))]) from None
        stop_point()
        return document

    def lay_out_sheet(self, entry: BookSheet) -> RenderedSheet:
        """Lay out a sheet, set again where words break badly or pages are too empty."""
        document = fitting.set_sheet(
            lambda keep_whole, step: self.lay_out(
                self.ts.sheet_html(entry, keep_whole, step), entry.slug, entry.path),
            self.ts.column_of, self.ts.paper.fit_steps)
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
                    # the first page that holds it: a part that runs on keeps its anchor
                    key = anchor.replace("-", "_")
                    if anchor in back_page.anchors and key not in back_folios:
                        back_folios[key] = _roman(front_pages + index + 1)
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
        return Job(self.options.sheet_path(rendered.entry), rendered.document, labels,
                   rendered.entry.path, title)

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
        return Job(self.options.booklet_path(self.book), combined, labels,
                   self.book.folder / PUBLICATION_FILE)

    def write(self, out: Path, jobs: list[Job], processes: int = 1,
              strict: bool = False) -> tuple[list[Path], list[Problem]]:
        """Write every job's PDF, in `processes` processes, then put them all in place as
        one set; the outputs and the warnings logged while writing.

        Anything the layout engine logs as an error while painting (an SVG it could not
        draw) fails the build, as do its warnings with `strict`: nothing is put in place.
        """
        made, problems = write_in_parallel(self.renderer, out, jobs, processes)
        try:
            stop_point()
            errors = [p for p in problems if p.severity == "error" or strict]
            if errors:
                raise ContentError([replace(p, severity="error") for p in errors])
            # One build writes at a time into a folder, so its outputs always form one set.
            with booklet.output_lock(out):
                booklet.replace_all(made)
        finally:
            for temporary, _ in made:
                temporary.unlink(missing_ok=True)
        return [target for _, target in made], problems


@dataclass
class Job:
    """One PDF to write: where, from which laid-out document, with which page labels."""

    path: Path  # relative to the output folder
    document: object
    labels: list[LabelRange]
    source: Path  # the file a problem while writing is reported against
    title: str | None = None  # the document title, if not the HTML's

    @property
    def pages(self) -> int:
        return len(self.document.pages)


MAX_REPORTED = 20  # messages a writer process sends back


def _write_bucket(renderer, items) -> list[tuple[str, str, str]]:
    """Write these jobs; (severity, source, message) of what the engine logged meanwhile."""
    logged = []
    for temporary, _, job in items:
        with engine_log() as log:
            booklet.write_temporary(temporary, renderer.write(job.document, job.labels, job.title))
        stop_point()  # a signal swallowed while painting an SVG still stops the build
        logged += [("error", str(job.source), f"layout engine, writing {job.path}: {m}")
                   for m in log.errors]
        logged += [("warning", str(job.source), f"layout engine, writing {job.path}: {m}")
                   for m in log.messages]
    return logged[:MAX_REPORTED]


def _child(renderer, items, report: int) -> int:
    """A forked writer: write, send back what was logged, and leave with a status."""
    try:
        result, status = {"logged": _write_bucket(renderer, items)}, 0
    except Interrupted as stop:
        result, status = {}, stop.exit_status
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which decides
        result, status = {"failed": f"{type(error).__name__}: {error}"}, 1
    with os.fdopen(report, "w") as pipe:
        json.dump(result, pipe)
    return status


def write_in_parallel(renderer, out: Path, jobs: list[Job], processes: int
                      ) -> tuple[list[tuple[Path, Path]], list[Problem]]:
    """Write each job to a temporary file beside its target; (temporary, target) pairs and
    what the engine logged while writing.

    Layout is done; writing is independent for each PDF, so forked processes share the
    laid-out pages without copying them and write in parallel. Each PDF is still written
    whole by one process: one font subset per font and one tag tree in the booklet.
    """
    buckets: list[list[Job]] = [[] for _ in range(max(1, min(processes, len(jobs))))]
    for job in sorted(jobs, key=lambda j: -j.pages):  # largest first, to the lightest bucket
        min(buckets, key=lambda b: sum(j.pages for j in b)).append(job)
    planned = [[(booklet.temporary_beside(out / job.path), out / job.path, job)
                for job in bucket] for bucket in buckets]

    children: list[tuple[int, int]] = []  # (pid, read end of its report pipe)
    logged = []
    try:
        for items in planned[1:]:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # child: write, then leave without running the parent's cleanup
                status = 1
                try:
                    os.close(read)
                    status = _child(renderer, items, write)
                finally:
                    os._exit(status)
            os.close(write)
            children.append((pid, read))
        logged += _write_bucket(renderer, planned[0])
        failures = []
        while children:
            pid, read = children[0]
            with os.fdopen(read) as pipe:
                report = json.loads(pipe.read() or "{}")
            status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            children.pop(0)
            logged += report.get("logged", [])
            if status in (128 + signal.SIGINT, 128 + signal.SIGTERM):
                raise Interrupted(status - 128)
            if status != 0:
                failures.append(report.get("failed", f"exit status {status}"))
        if failures:
            raise ContentError([Problem(out, 1, 1, f"a PDF could not be written: {f}")
                                for f in failures])
    except BaseException:
        for pid, read in children:  # they only wrote temporary files, removed below
            with contextlib.suppress(OSError):
                os.close(read)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        for items in planned:
            for temporary, _, _ in items:
                temporary.unlink(missing_ok=True)
        raise
    problems = [Problem(Path(source), 1, 1, message, severity)
                for severity, source, message in logged]
    return [(temporary, target) for items in planned for temporary, target, _ in items], problems


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
    """Build the outputs of `book` into `out`; raise ContentError if anything is wrong,
    UsageError if the outputs cannot go where asked, Interrupted on SIGINT or SIGTERM."""
    out = Path(out)
    chosen = select(book, options.only)
    result = BuildResult()
    check_outputs(out, output_paths(book, options, chosen))  # before any work
    with interrupts():
        builder = Builder(book, layout, options, html_dir)
        with engine_log() as log:
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
        result.warnings = render.engine_problems(log.messages, Path(layout))
        errors = log.errors + (log.messages if strict else [])
        if errors:
            raise ContentError([replace(p, severity="error")
                                for p in render.engine_problems(errors, Path(layout))])
        # Nothing is put in place before all of it is made (and checked, with --strict).
        result.outputs, written = builder.write(out, jobs, processes, strict)
        result.warnings += written
    progress(f"wrote {len(result.outputs)} PDFs ({result.pages} booklet pages)")
    return result
