"""Rebuild while editing: keep laid-out pages in memory and, when a file is saved, lay out
again only the sheets that changed and rewrite only the outputs they touch."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .build import Builder, RenderedSheet, interrupts, select
from .diagnostics import ContentError
from .load import load
from .model import Book
from .options import DEFAULT_OPTIONS, Options
from .paths import FONTS
from .typeset import PARTS


def _stamps(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_size)
            for folder in folders for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def _matter_key(builder: Builder, rendered: RenderedSheet) -> tuple:
    sheet = rendered.entry.sheet
    starts = tuple(
        next((i for i, page in enumerate(rendered.document.pages)
              if builder.ts.anchor(rendered.entry, part) in page.anchors), None)
        for part in PARTS)
    return (sheet.number, sheet.title, sheet.sections.hypothesis.lead, tuple(sheet.legend),
            len(rendered.document.pages), starts)


class Watcher:
    def __init__(self, source: Path, out: Path, layout: Path, options: Options = DEFAULT_OPTIONS,
                 processes: int = 1, report: Callable[[str], None] = print,
                 after: Callable[[Book], None] | None = None, also_watch: tuple[Path, ...] = ()):
        """`after` is called with the book after each rebuild (the web edition), and alone
        when only files of `also_watch` (its layout) changed."""
        self.source, self.out, self.layout = Path(source), Path(out), Path(layout)
        self.options, self.processes, self.report = options, processes, report
        self.after, self.also_watch = after, tuple(Path(f) for f in also_watch)
        self.builder: Builder | None = None
        self.sheets: dict[str, RenderedSheet] = {}  # by slug, as last laid out
        self.matter = None  # (front, back, folios of every sheet) as last laid out
        self.publication = None
        self.stamps: dict[Path, tuple[int, int]] = {}

    def changed_files(self) -> list[Path]:
        out = self.out.resolve()  # may be inside the source folder: its writes are no edits
        folders = [self.source, self.layout, FONTS, *self.also_watch]
        stamps = {p: stamp for p, stamp in _stamps(folders).items()
                  if not p.resolve().is_relative_to(out)}
        changed = sorted(p for p in set(stamps) | set(self.stamps)
                         if stamps.get(p) != self.stamps.get(p))
        self.stamps = stamps
        return changed

    def refused(self, error: ContentError) -> None:
        for problem in error.problems:
            self.report(str(problem))
        self.report(f"{len(error.problems)} error(s): the outputs are unchanged; "
                    "waiting for the next save")

    def rebuild(self, changed: list[Path]) -> None:
        started = time.monotonic()
        try:
            book = load(self.source)
            chosen = select(book, self.options.only)
        except ContentError as error:
            self.refused(error)
            return
        if self.builder is not None and self.after and all(
                any(p.is_relative_to(f) for f in self.also_watch) for p in changed):
            self.after(book)  # nothing the PDFs are made of
            return
        engine_inputs = [p for p in changed if not p.is_relative_to(self.source)
                         or p.parent.name in ("figures", "images")]
        if self.builder is None or engine_inputs or book.publication != self.publication:
            # Layout, fonts, drawings or the publication's labels: every page may change.
            self.builder = Builder(book, self.layout, self.options)
            self.sheets, self.matter = {}, None
        else:
            self.builder.use(book)
        self.publication = book.publication

        laid_out = []
        sheets = []
        for entry in chosen:
            previous = self.sheets.get(entry.slug)
            if previous is None or previous.entry.sheet != entry.sheet:
                fresh = self.builder.lay_out_sheet(entry)
                # Same parts on the same pages keep the same folios (checked below).
                fresh.folios = previous.folios if previous else {}
                previous = fresh
                laid_out.append(previous)
            previous.entry = entry
            sheets.append(previous)
        self.sheets = {r.entry.slug: r for r in sheets}

        # The front and back matter list every sheet's title, lead, parts and folios and its
        # legend: lay them out again only when one of those changed, not for an edited text.
        shape = [_matter_key(self.builder, r) for r in sheets]
        if self.matter is None or self.matter[2] != shape:
            front, back = self.builder.lay_out_matter(sheets)
            self.matter = (front, back, shape)
        elif not laid_out:
            self.report(f"[{time.strftime('%H:%M:%S')}] saved without a change to the content")
            return
        front, back, _ = self.matter
        jobs = [] if self.options.press else [self.builder.sheet_job(r) for r in laid_out]
        jobs.append(self.builder.booklet_job(sheets, front, back))
        try:
            written, problems = self.builder.write(self.out, jobs, self.processes)
        except ContentError as error:
            self.refused(error)
            return
        for problem in problems:
            self.report(str(problem))
        names = ", ".join(r.entry.slug for r in laid_out) or "nothing to lay out"
        self.report(f"[{time.strftime('%H:%M:%S')}] {names}: wrote {len(written)} PDFs "
                    f"in {time.monotonic() - started:.1f}s")
        if self.after:
            self.after(book)

    def run(self, interval: float = 0.3, rounds: int | None = None) -> None:
        """Watch until interrupted (or for `rounds` polls, for tests)."""
        self.report(f"watching {self.source}, {self.layout} and {FONTS} (Ctrl-C to stop)")
        done = 0
        with interrupts():  # Ctrl-C while a drawing is painted still stops, outputs intact
            while rounds is None or done < rounds:
                changed = self.changed_files()
                if changed:
                    self.rebuild(changed)
                done += 1
                time.sleep(interval)
