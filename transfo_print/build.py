"""The build: typeset every sheet, lay each out once, write the sheet PDFs and the booklet."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import booklet, fitting, furniture, render, workers
from .booklet import LabelRange
from .diagnostics import ContentError, Problem, UsageError
from .model import Book, BookSheet
from .options import DEFAULT_OPTIONS, Options
from .paths import ASSET_FOLDERS, DEFAULT_LAYOUT, FONTS, PUBLICATION_FILE
from .stopping import held_back, interrupts, stop_point
from .typeset import BLEED_MM, PARTS, Typesetter
from .workers import MAX_REPORTED, run_forked


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pages: int = 0
    blank_pages: int = 0  # of `pages`, added to make a folded booklet (the print shop's)


@dataclass
class SheetPart:
    """A sheet laid out and written by its own process, as it reports back: its PDF and
    what the front and back matter need to know of it."""

    entry: BookSheet
    path: Path  # its finished PDF
    pages: int
    starts: dict[str, int]  # page index, within the sheet, where each part present starts
    link_words: dict[str, str]  # what its anchors are, for the links of the contents page

    def folios(self) -> dict[str, str]:
        """The folio where the sheet starts (key ""), then where each part present starts."""
        prefix = f"{self.entry.sheet.number:02d}."
        return {"": f"{prefix}1"} | {part: f"{prefix}{index + 1}"
                                     for part, index in self.starts.items()}


@dataclass
class Matter:
    """The front and back matter, written, for these sheet folios."""

    front: Path
    front_pages: int
    back: Path
    back_pages: int
    # the ids each links to in the other parts: its destinations for them are stand-ins
    front_borrowed: frozenset[str]
    back_borrowed: frozenset[str]


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


def check_outputs(out: Path, paths: list[Path]) -> list[Path]:
    """Every output can be put in place: found before any layout, as a usage error. The
    folders made for them, deepest first, for a build that fails to remove (`_unmake`)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    for path in paths:
        target = out / path
        for parent in reversed(target.relative_to(out).parents[:-1]):
            if (out / parent).exists() and not (out / parent).is_dir():
                raise UsageError(f"{out / parent} is a file: the folder for {target} goes there")
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise UsageError(f"{target} is not a plain file: a PDF goes there")
    folders = {(out / path).parent for path in paths}
    made = sorted({folder for place in folders for folder in (place, *place.parents)
                   if not folder.exists()}, key=lambda folder: len(folder.parts), reverse=True)
    try:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the output folder {error.filename}: "
                         f"{error.strerror}") from None
    for folder in folders:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write into {folder}")
    return made


def _unmake(folders: list[Path]) -> None:
    """The folders a build made for its outputs, removed when it put nothing in them."""
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty: something else was put there
            folder.rmdir()


def output_paths(book: Book, options: Options, sheets: list[BookSheet]) -> list[Path]:
    """What a build of these sheets writes, relative to the output folder."""
    paths = [] if options.press else [options.sheet_path(entry) for entry in sheets]
    return [*paths, options.booklet_path(book)]


def select(book: Book, only: tuple[int, ...]) -> list[BookSheet]:
    """The sheets to make, in order; a number that is not a sheet is a usage error."""
    if not only:
        return list(book.sheets)
    numbers = {entry.sheet.number: entry for entry in book.sheets}
    unknown = [n for n in only if n not in numbers]
    if unknown:
        raise UsageError(
            f"--only: {book.folder} has no sheet {', '.join(f'{n:02d}' for n in unknown)} "
            f"(its sheets are {', '.join(f'{n:02d}' for n in sorted(numbers))})")
    return [numbers[n] for n in sorted(set(only))]


def _page_of(document, anchor: str) -> int | None:
    """The index of the page of a laid-out document where `anchor` is, if it is."""
    return next((i for i, page in enumerate(document.pages) if anchor in page.anchors), None)


def _borrow(document) -> frozenset[str]:
    """The ids `document` links to but does not hold (the contents page leads into the
    sheets), set on its first page as stand-ins: the layout engine drops a link to an id it
    cannot find. The booklet resolves them where they really are (assemble.py)."""
    held = {name for page in document.pages for name in page.anchors}
    missing = {target for page in document.pages for kind, target, _, _ in page.links
               if kind == "internal"} - held
    for name in sorted(missing):
        document.pages[0].anchors[name] = (0, 0, 0, 0)
    return frozenset(missing)


def _engine(log, severity_of_messages: str, source: Path, what: str) -> list[list[str]]:
    """What the engine logged, as (severity, source, message) that a worker sends back."""
    return ([["error", str(source), f"{what}: {m}"] for m in log.errors]
            + [[severity_of_messages, str(source), f"{what}: {m}"] for m in log.messages])


def _problems(logged: list[list[str]]) -> list[Problem]:
    return [Problem(Path(source), 1, 1, message, severity)
            for severity, source, message in logged]


def _reported_problems(reports: list[dict]) -> list[Problem]:
    """The problems worker processes reported (as plain data: Problem's fields in order)."""
    return [Problem(Path(p[0]), *p[1:5]) for report in reports
            for p in report.get("problems", [])]


def fail_on_errors(problems: list[Problem], strict: bool) -> list[Problem]:
    """Raise what is an error (every warning with `strict`); the warnings otherwise."""
    errors = [p for p in problems if p.severity == "error" or strict]
    if errors:
        raise ContentError([replace(p, severity="error") for p in errors])
    return problems


class Builder:
    """One build's shared state: the typesetter and the renderer (fonts, stylesheets,
    image cache). Each sheet is laid out and written by a process forked from it; the
    front and back matter are laid out here once the sheets' folios are known, and the
    booklet is assembled from the files. `watch` keeps it and makes again only what
    changed."""

    def __init__(self, book: Book, layout: Path = DEFAULT_LAYOUT,
                 options: Options = DEFAULT_OPTIONS, html_dir: Path | None = None,
                 compile_templates: bool = True):
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
            raise ContentError([Problem(error.path or self.layout, error.line, 1, str(error))
                                ]) from None
        # The density step each sheet was last kept at, by source: the likely one when it
        # is made again (a sheet saved under watch).
        self.kept_steps: dict[Path, int] = {}
        # Sheets' furniture laid out alone in this process, by source: lent to the processes
        # it forks, whose layouts of the sheet then all go without it (`lend_furniture`).
        self.furniture: dict[Path, furniture.Furniture] = {}
        self.use(book, compile_templates)

    def use(self, book: Book, compile_templates: bool = True) -> None:
        """Take a newly loaded book (same layout and options). The layout's templates are
        compiled here, once, not in each process that uses them (Typesetter.compile_templates),
        unless the build that made this builder has compiled them (`make_sheet_afresh`)."""
        self.book = book
        self.ts = Typesetter(book, self.layout, paper=self.options.paper,
                             press=self.options.press)
        try:
            if compile_templates:
                self.ts.compile_templates()
        except jinja2.TemplateSyntaxError as error:
            where = Path(error.filename) if error.filename else self.layout
            raise ContentError([Problem(where, error.lineno, 1,
                                        f"template: {error.message}")]) from None

    def lay_out(self, html: str, name: str, source: Path):
        self.keep_html(html, name)
        return self._render(html, source)

    def keep_html(self, html: str, name: str) -> None:
        """The HTML of a document laid out, into `--html`'s folder if one was asked for."""
        if self.html_dir is not None:
            self.html_dir.mkdir(parents=True, exist_ok=True)
            (self.html_dir / f"{name}.html").write_text(html, encoding="utf-8")

    def _render(self, html: str, source: Path):
        try:
            document = self.renderer.render(html)
        except render.FetchRefused as error:
            raise ContentError([Problem(source, 1, 1, str(error))]) from None
        stop_point()
        return document

    def sheet_layout(self, entry: BookSheet, logged: list[list[str]], lazy: bool = False
                     ) -> SheetLayouts:
        """The sheet's layouts for the fitting, what the engine logs meanwhile added to
        `logged` (SheetLayouts)."""
        return SheetLayouts(self, entry, logged, lazy)

    def furniture_alone(self, entry: BookSheet, html: str) -> furniture.Furniture | None:
        """The sheet's furniture laid out with nothing else on the page, to be lent to its
        layouts; None where the layout marks none, or marks something that could take room
        in the text's flow."""
        alone = furniture.alone(html)
        if alone is None:
            return None
        return furniture.of(self._render(alone, entry.path), furniture.split(html)[0])

    def warm_up(self, entry: BookSheet) -> None:
        """Lay a sheet out once in this process, for what that leaves in the engine's caches:
        the processes forked from it afterwards lay out about a fifth faster (`watch`, after
        its first build). Only where they share its fonts: elsewhere they make fonts of
        their own, or are not copies of it."""
        if self.renderer.forks_share_fonts:
            self.sheet_layout(entry, [])(frozenset(), 0)

    def lend_furniture(self, entry: BookSheet) -> None:
        """Lay the sheet's furniture out alone in this process, for the processes forked
        from it afterwards, which then need not (`watch`, for the sheet just saved). Only
        where they share its fonts, as for `warm_up`: the furniture's text is laid out with
        this process's."""
        if not self.renderer.forks_share_fonts:
            return
        with engine_log():  # anything it says, the sheet's own layouts said
            lent = self.furniture_alone(entry, self.ts.sheet_html(entry))
        if lent is not None:
            self.furniture[entry.path] = lent

    def make_sheet(self, entry: BookSheet, path: Path, width: int = 1,
                   likely: int | None = None) -> dict:
        """Lay out one sheet and write its PDF to `path` (in a worker process); what the
        booklet needs to know of it, as plain data. With `width` over 1, that many of the
        fitting's density steps are tried at once, each in a process of its own, `likely`
        (the step kept the last time) among the first: the others, which a save of the
        sheet most often tries only to rule out, lay the furniture out only if they win."""
        logged: list[list[str]] = []
        column_of, steps = self.ts.column_of, self.ts.paper.fit_steps

        def finish(layouts: SheetLayouts, step: int, document) -> dict:
            document = fitting.keep_words_whole(layouts, column_of, step, document)
            return self.write_sheet(entry, path, layouts.furnished(document), logged) | {
                "step": step}

        if width > 1:
            def trial(step: int):
                layouts = self.sheet_layout(entry, logged, lazy=likely not in (None, step))
                document = layouts(frozenset(), step)
                return (fitting.sheet_shortfall(document, column_of),
                        functools.partial(finish, layouts, step, document))
            return workers.side_by_side(fitting.step_order(steps), width, trial, likely)
        layouts = self.sheet_layout(entry, logged)
        return finish(layouts, *fitting.choose_density(layouts, column_of, steps))

    def write_sheet(self, entry: BookSheet, path: Path, document,
                    logged: list[list[str]]) -> dict:
        """A laid-out sheet's PDF written to `path`; what the booklet needs to know of it."""
        from .tagging import link_targets

        starts = {}
        for part in PARTS:
            anchor = self.ts.anchor(entry, part)
            found = _page_of(document, anchor)
            if found is not None:
                starts[part] = found
        linked = [self.ts.anchor(entry)] + [self.ts.anchor(entry, part) for part in starts]
        words = link_targets(document)
        number = entry.sheet.number
        labels = [LabelRange(0, len(document.pages), "/D", f"{number:02d}.")]
        # The title a reader hears first: what the sheet is, in the document's language.
        title = (f"{entry.sheet.title} — {self.book.publication.title} "
                 f"({number:02d}/{self.book.count:02d})")
        logged = logged + self.write(path, document, labels, entry.path,
                                     self.options.sheet_path(entry), title=title)
        return {"pages": len(document.pages), "starts": starts,
                "link_words": {a: words[a] for a in linked if a in words},
                "logged": logged[:MAX_REPORTED]}

    def write(self, path: Path, document, labels: list[LabelRange], source: Path,
              output: Path, **tagging) -> list[list[str]]:
        """Write a laid-out document's PDF to `path`; what the engine logged meanwhile,
        against `source`, for the `output` it goes into (`tagging`: Renderer.write's)."""
        with engine_log() as log:
            booklet.write_temporary(path, self.renderer.write(document, labels, **tagging))
        stop_point()  # a signal swallowed while painting an SVG still stops the build
        return _engine(log, "warning", source, f"layout engine, writing {output}")

    def make_sheets(self, entries: list[BookSheet], places: list[Path], processes: int,
                    progress: Callable[[str], None] = lambda message: None,
                    ) -> tuple[list[SheetPart], list[Problem]]:
        """Each sheet laid out and written to its place, one forked process per sheet and
        `processes` at a time; the sheets and what the engine logged."""

        def done(index: int, report: dict) -> None:
            if "pages" in report:
                progress(f"laid out {entries[index].slug} "
                         f"({report['pages']} pages) and wrote it")

        pairs = list(zip(entries, places, strict=True))
        if self.renderer.forks_safely:
            # Cores the sheets leave idle (one sheet saved under watch) try density steps.
            width = max(1, processes // max(1, len(entries)))
            how = "fork"
            tasks = [functools.partial(self.make_sheet, entry, place, width,
                                       self.kept_steps.get(entry.path))
                     for entry, place in pairs]
        elif processes > 1 and len(entries) > 1 and workers.pristine_processes():
            # A copy of this process cannot lay text out, even with a font map of its own
            # (render._forks_safely). Processes that are not copies of it make a renderer
            # each, and try the density steps in turn.
            how = "pristine"
            recipe = (self.book, self.layout, self.options, self.html_dir)
            tasks = [functools.partial(make_sheet_afresh, recipe, entry, place)
                     for entry, place in pairs]
        else:
            how = "here"
            tasks = [functools.partial(self.make_sheet, entry, place) for entry, place in pairs]
        reports = run_forked(tasks, [entry.path for entry in entries], processes, done, how)
        problems = [p for report in reports for p in _problems(report.get("logged", []))]
        problems += _reported_problems(reports)
        if any("problems" in report for report in reports):
            raise ContentError([p for p in problems if p.severity == "error"])
        sheets = [SheetPart(entry, place, r["pages"], r["starts"], r["link_words"])
                  for entry, place, r in zip(entries, places, reports, strict=True)]
        self.kept_steps.update((entry.path, r["step"])
                               for entry, r in zip(entries, reports, strict=True))
        return sheets, problems

    def lay_out_matter(self, sheets: list[SheetPart]):
        """Front and back matter for these sheets, laid out as one document (their folios
        run on, and the contents page finds the back matter's by itself), then split where
        the parts list starts: (front, back)."""
        contents = [(sheet.entry, sheet.folios()) for sheet in sheets]
        version, source = self.renderer.version, self.book.folder / PUBLICATION_FILE
        # A cover is centred on its page only if it fits on one: each page of a longer one
        # starts at the top. The cover laid out alone tells, for a fraction of the whole.
        centred = self.ts.cover_centred and len(self._render(
            self.ts.matter_html(contents, version, cover_only=True), source).pages) == 1
        document = self.lay_out(self.ts.matter_html(contents, version, centred), "matter",
                                source)
        split = _page_of(document, "parts-list")
        return document.copy(document.pages[:split]), document.copy(document.pages[split:])

    def make_matter(self, sheets: list[SheetPart], place: Callable[[str], Path],
                    processes: int = 1) -> tuple[Matter, list[Problem]]:
        """The front and back matter laid out (here: they need every sheet's folios) and
        written to `place(name)`, both at once with `processes` over 1 where forks share
        this process's fonts; what the engine logged."""
        from .tagging import link_targets

        with engine_log() as log:
            front, back = self.lay_out_matter(sheets)
        logged = _engine(log, "warning", self.layout, "layout engine")
        borrowed = _borrow(front), _borrow(back)
        words = {k: v for sheet in sheets for k, v in sheet.link_words.items()}
        words |= link_targets(front)  # the front and back matter's ids: one document's
        source = self.book.folder / PUBLICATION_FILE
        output = self.options.booklet_path(self.book)
        parts = [(place("front-matter.pdf"), front, [LabelRange(0, len(front.pages), "/r")]),
                 (place("back-matter.pdf"), back,
                  [LabelRange(0, len(back.pages), "/r", start=len(front.pages) + 1)])]

        def writing(path: Path, document, labels: list[LabelRange]) -> Callable[[], dict]:
            return lambda: {"logged": self.write(path, document, labels, source, output,
                                                 elsewhere=words)}

        # Written by copies of this process only where they share its fonts (Pango 1.50):
        # with Pango 1.56 a copy made after a layout here hung (seen on Debian 13).
        how = "fork" if processes > 1 and self.renderer.forks_share_fonts else "here"
        reports = run_forked([writing(*part) for part in parts], [source, source], processes,
                             how=how)
        problems = _reported_problems(reports)
        if problems:
            raise ContentError(problems)
        logged += [entry for report in reports for entry in report["logged"]]
        matter = Matter(parts[0][0], len(front.pages), parts[1][0], len(back.pages), *borrowed)
        return matter, _problems(logged)

    def make_booklet(self, sheets: list[SheetPart], matter: Matter, path: Path
                     ) -> tuple[int, int]:
        """The booklet assembled from the written parts into `path`: its page count, and
        how many of them are blank (the print shop's booklet is folded: a multiple of four
        pages)."""
        from .assemble import Part, assemble
        from .press import blank_page

        labels = [LabelRange(0, matter.front_pages, "/r")]
        page = matter.front_pages
        for sheet in sheets:
            labels.append(LabelRange(page, sheet.pages, "/D",
                                     f"{sheet.entry.sheet.number:02d}."))
            page += sheet.pages
        labels.append(LabelRange(page, matter.back_pages, "/r", start=matter.front_pages + 1))
        parts = [Part(matter.front, matter.front_borrowed), *(Part(s.path) for s in sheets),
                 Part(matter.back, matter.back_borrowed)]
        pages, padding = page + matter.back_pages, blank_page if self.options.press else None
        blanks = booklet.blank_pages(pages)[1] if padding else 0
        booklet.write_temporary(path, assemble(parts, labels, padding))
        stop_point()
        return pages + blanks, blanks

    @staticmethod
    def put_in_place(out: Path, made: list[tuple[Path, Path]], final: bool = False) -> None:
        """Every (temporary, target) renamed into place as one set (`final`: the build's
        last step, booklet.replace_all)."""
        stop_point()
        # One build writes at a time into a folder, so its outputs always form one set.
        with booklet.output_lock(out):
            booklet.replace_all(made, final)


def _cleanup(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def beside(target: Path, made: list[Path]) -> Path:
    """A new temporary file beside `target`, listed in `made` (removed unless put in place)."""
    with held_back():  # a signal stops the build once the file is listed, to be removed
        made.append(booklet.temporary_beside(target))
    return made[-1]


def sheet_copies(out: Path, options: Options, sheets: list[SheetPart], made: list[Path]
                 ) -> list[tuple[Path, Path]]:
    """Each sheet's PDF copied beside its place in `out` (the press makes none): (copy,
    place) pairs to put in place."""
    copies = []
    for sheet in [] if options.press else sheets:
        place = out / options.sheet_path(sheet.entry)
        shutil.copyfile(sheet.path, beside(place, made))
        copies.append((made[-1], place))
    return copies


class SheetLayouts:
    """A sheet's layouts for the fitting: `layouts(keep_whole, step)` lays it out without
    its drawing furniture (frame, band, title block), which is fixed to the page and takes
    no room in the text's flow, so that the pages break and fill as with it;
    `furnished(document)` gives the layout to be written the furniture, laid out alone
    once (furniture.py), or lent by the build's process (Builder.lend_furniture).

    Whether the furniture can be lent is known once it is laid out: where it cannot (a
    layout of one's own marking something that could take room in the flow), every layout
    is complete. A `lazy` process (a density step tried under `watch` only to be ruled
    out, most likely) leaves that until a layout is to be written."""

    def __init__(self, builder: Builder, entry: BookSheet, logged: list[list[str]],
                 lazy: bool = False):
        self.builder, self.entry, self.logged, self.lazy = builder, entry, logged, lazy
        self.lent = builder.furniture.get(entry.path)
        self.known = self.lent is not None  # whether the furniture is known to be lendable
        # the layouts made without it: what they were laid out with
        self.bare: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __call__(self, keep_whole: frozenset[str], step: int):
        builder, entry = self.builder, self.entry
        html = builder.ts.sheet_html(entry, keep_whole, step)
        marked, bare = furniture.split(html)
        with engine_log() as log:
            if marked is not None and not self.known and not self.lazy:
                self._lay_out_furniture(html)
            # without the furniture: it is lent, or (lazily) not known yet to be lendable
            if self.lent is not None:
                without = self.lent.html == marked
            else:
                without = marked is not None and not self.known
            if without:
                builder.keep_html(html, entry.slug)
                document = builder._render(bare, entry.path)
                self.bare[document] = keep_whole, step
            else:
                document = builder.lay_out(html, entry.slug, entry.path)
        self.logged.extend(_engine(log, "warning", builder.layout, "layout engine"))
        return document

    def _lay_out_furniture(self, html: str) -> None:
        self.lent, self.known = self.builder.furniture_alone(self.entry, html), True

    def furnished(self, document):
        """A layout of this sheet, with its furniture if it was laid out without."""
        made = self.bare.pop(document, None)
        if made is None:
            return document
        if not self.known:
            with engine_log() as log:
                self._lay_out_furniture(self.builder.ts.sheet_html(self.entry, *made))
            self.logged.extend(_engine(log, "warning", self.builder.layout, "layout engine"))
        if self.lent is None:  # it could take room in the flow: the whole HTML, laid out
            return self(*made)
        return furniture.furnish(document, self.lent)


def make_sheet_afresh(recipe: tuple, entry: BookSheet, path: Path) -> dict:
    """`Builder.make_sheet` by a builder made for it from `recipe` (its book, layout,
    options and HTML folder): what a process that does not share the build's renderer
    does. The build has compiled the templates: this process compiles only those it uses."""
    builder = Builder(*recipe, compile_templates=False)
    try:
        return builder.make_sheet(entry, path)
    finally:
        builder.renderer.close()


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
    folders = check_outputs(out, output_paths(book, options, chosen))  # before any work
    target = out / options.booklet_path(book)
    # The parts are written in a folder of their own, outside `out`: a build stopped even
    # by SIGKILL leaves nothing there. Only the finished outputs are written beside their
    # targets, at the end, to be renamed into place.
    work = Path(tempfile.mkdtemp(prefix="transfo-print-"))
    made: list[Path] = []
    placed = False
    with interrupts():
        try:
            builder = Builder(book, layout, options, html_dir)
            places = [work / f"{entry.slug}.pdf" for entry in chosen]
            sheets, problems = builder.make_sheets(chosen, places, processes, progress)
            fail_on_errors(problems, strict)
            # a dot before their names: a sheet's file cannot be called so
            matter, logged = builder.make_matter(sheets, lambda name: work / f".{name}",
                                                 processes)
            problems += fail_on_errors(logged, strict)
            progress("laid out and wrote the front and back matter")
            outputs = sheet_copies(out, options, sheets, made)
            result.pages, result.blank_pages = builder.make_booklet(sheets, matter,
                                                                   beside(target, made))
            outputs.append((made[-1], target))
            # Nothing is put in place before all of it is made (and checked, with --strict).
            builder.put_in_place(out, outputs, final=True)
            placed = True
        finally:
            _cleanup(made)
            shutil.rmtree(work, ignore_errors=True)
            if not placed:  # nothing was put in place: nor are the folders left
                _unmake(folders)
    result.outputs = [target for _, target in outputs]
    result.warnings = problems
    progress(f"wrote {len(result.outputs)} PDFs ({result.pages} booklet pages)")
    return result
