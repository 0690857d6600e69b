"""Rebuild while editing: when a file is saved, lay out and write again only the sheets
that changed (in worker processes, as a build does), the front and back matter only when
what they list changed, and assemble the booklet again from the files."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from select import select as wait_for_input

from .build import (
    Builder,
    Matter,
    SheetPart,
    _cleanup,
    beside,
    fail_on_errors,
    select,
    sheet_copies,
)
from .diagnostics import ContentError, UsageError, counted
from .load import load
from .model import Book
from .options import DEFAULT_OPTIONS, Options
from .paths import ASSET_FOLDERS, FONTS
from .stopping import interrupts

POLL_SECONDS = 0.1  # a save is seen within this; a poll of the shipped sources takes 0.5 ms
# Sheets of one save whose furniture is laid out for the next (Builder.lend_furniture): the
# few being edited, not every sheet of a checkout (about 0.05 s each).
LEND_AT_MOST = 8
# inotify(7): a file written and closed, its time changed, moved in or out, or removed
_SAVED = 0x8 | 0x4 | 0x40 | 0x80 | 0x200
_NONBLOCK_CLOEXEC = 0o4000 | 0o2000000


class Saves:
    """Wakes the watch as soon as a file is saved in a watched folder (Linux's inotify), not
    at the next poll. The polls go on (a folder made since the last one, a file system that
    sends no events); where inotify cannot be had, `wait` only sleeps until the next."""

    def __init__(self):
        self.fd = -1
        with contextlib.suppress(OSError, AttributeError):  # not Linux
            self._libc = ctypes.CDLL(None, use_errno=True)
            self.fd = self._libc.inotify_init1(_NONBLOCK_CLOEXEC)

    def watch(self, folders: set[str]) -> None:
        """Wake on saves in these folders (again at each poll: a folder removed and made
        again is a new one to the system; a folder watched already costs one call)."""
        if self.fd >= 0:
            for folder in folders:
                self._libc.inotify_add_watch(self.fd, os.fsencode(folder), _SAVED)

    def wait(self, seconds: float) -> bool:
        """Until a file is saved in a watched folder, or `seconds` have passed; whether
        one was."""
        if self.fd < 0:
            time.sleep(seconds)
            return False
        if not wait_for_input([self.fd], [], [], seconds)[0]:
            return False
        with contextlib.suppress(BlockingIOError):  # the events, read to the last
            while os.read(self.fd, 1 << 16):
                pass
        return True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _stamps(folders: list[Path], out: Path, walked: set[str] | None = None,
            ) -> dict[str, tuple[int, int]]:
    """Time and size of each file under `folders`, by path, hidden ones and `out` (the
    outputs, which may be inside a watched folder: its writes are no edits) left out; links
    to folders are not followed; the folders read are added to `walked`. One system call per
    file, and plain strings: this runs at every poll."""
    stamps = {}
    pending = [str(folder) for folder in folders]
    while pending:
        folder = pending.pop()
        real = os.path.realpath(folder)
        if real == str(out) or real.startswith(f"{out}{os.sep}"):
            continue
        if walked is not None:
            walked.add(folder)
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.is_file():
                        status = entry.stat()
                        stamps[entry.path] = (status.st_mtime_ns, status.st_size)
        except OSError:  # gone, or not a folder, since the last poll: no file to watch
            continue
    return stamps


def _matter_key(sheet: SheetPart) -> tuple:
    """What the front and back matter show of a sheet."""
    data = sheet.entry.sheet
    return (data.number, data.title, data.sections.hypothesis.lead, tuple(data.legend),
            sheet.pages, tuple(sorted(sheet.starts.items())),
            tuple(sorted(sheet.link_words.items())))


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
        self.warmed: Builder | None = None  # the builder whose process has laid a sheet out
        self.sheets: dict[str, SheetPart] = {}  # by slug, as last made
        self.matter: tuple[Matter, list] | None = None  # and what it was made for
        self.publication = None
        self.refusal: tuple | None = None  # the problems of the last save refused, if it was
        self.stamps: dict[str, tuple[int, int]] = {}
        self.saves = Saves()
        weakref.finalize(self, self.saves.close)
        # The PDFs the booklet is assembled from, kept between saves (outside --out).
        self.kept = Path(tempfile.mkdtemp(prefix="transfo-print-watch-"))
        weakref.finalize(self, shutil.rmtree, self.kept, True)

    def changed_files(self) -> list[Path]:
        folders = [self.source, self.layout, FONTS, *self.also_watch]
        walked: set[str] = set()
        stamps = _stamps(folders, self.out.resolve(), walked)
        self.saves.watch(walked)
        changed = sorted(Path(p) for p in set(stamps) | set(self.stamps)
                         if stamps.get(p) != self.stamps.get(p))
        self.stamps = stamps
        return changed

    def refused(self, error: ContentError, sheets_written: bool = False) -> None:
        unchanged = ("the sheet PDFs are written, the booklet is unchanged" if sheets_written
                     else "the outputs are unchanged")
        repeated = tuple(error.problems) == self.refusal  # the same again (a second save)
        if not repeated:
            for problem in error.problems:
                self.report(str(problem))
        self.refusal = tuple(error.problems)
        self.report(f"{_now()} {len(error.problems)} error(s){' (as above)' if repeated else ''}"
                    f": {unchanged}; waiting for the next save")

    def said(self, line: str) -> None:
        """A save that built, or needed nothing built: the errors said before are gone."""
        if self.refusal is not None:
            line += "; the errors said before are gone"
            self.refusal = None
        self.report(line)

    def rebuild(self, changed: list[Path]) -> None:
        started = time.monotonic()
        try:
            book = load(self.source)
            chosen = select(book, self.options.only)
        except ContentError as error:
            self.refused(error)
            return
        except UsageError as error:  # --only names a sheet the publication no longer has
            self.report(f"{_now()} transfo-print: {error}; waiting for the next save")
            return
        if self.builder is not None and self.after and all(
                any(p.is_relative_to(f) for f in self.also_watch) for p in changed):
            self.after(book)  # nothing the PDFs are made of
            return
        engine_inputs = [p for p in changed if not p.is_relative_to(self.source)
                         or p.parent.name in ASSET_FOLDERS]
        try:
            if self.builder is None or engine_inputs or book.publication != self.publication:
                # Layout, fonts, drawings or the publication's labels: every page may change.
                self.sheets, self.matter = {}, None
                self.builder = Builder(book, self.layout, self.options)
            else:
                self.builder.use(book)
        except ContentError as error:  # the layout: tried again at the next save
            self.builder = None
            self.refused(error)
            return
        self.publication = book.publication
        edited = [entry for entry in chosen if entry.slug not in self.sheets
                  or self.sheets[entry.slug].entry.sheet != entry.sheet]
        made: list[Path] = []  # new files: kept on success, removed otherwise
        outputs: list[tuple[Path, Path]] = []  # (new file, its place), once put in place

        def place(name: str) -> Path:
            return beside(self.kept / name, made)

        try:
            fresh, problems = self.builder.make_sheets(
                edited, [place(f"{entry.slug}.pdf") for entry in edited], self.processes)
            fail_on_errors(problems, strict=False)
            sheets_done = time.monotonic()
            new = {sheet.entry.slug: sheet for sheet in fresh}
            sheets = [new.get(entry.slug) or SheetPart(
                entry, *_unchanged(self.sheets[entry.slug])) for entry in chosen]
            # The front and back matter list every sheet's title, lead, parts and folios and
            # its legend: made again only when one of those changed, not for an edited text.
            shape = [_matter_key(sheet) for sheet in sheets]
            matter = self.matter[0] if self.matter and self.matter[1] == shape else None
            matter_said = "kept"
            if matter is None:
                matter_said = "made again"
                matter, logged = self.builder.make_matter(sheets, place, self.processes)
                problems += fail_on_errors(logged, strict=False)
            elif not fresh:
                _cleanup(made)
                self.said(f"{_now()} saved without a change to the content")
                return
            matter_done = time.monotonic()
            outputs += sheet_copies(self.out, self.options, fresh, made)
            if outputs:
                # The edited sheet is what its author looks at: it is put in place before
                # the booklet is assembled (a second or so later).
                self.builder.put_in_place(self.out, outputs)
                self.report(f"{_now()} {_names(fresh)}: "
                            f"{'sheet PDFs' if len(fresh) > 1 else 'sheet PDF'} written in "
                            f"{time.monotonic() - started:.1f}s; assembling the booklet")
            target = self.out / self.options.booklet_path(book)
            self.builder.make_booklet(sheets, matter, beside(target, made))
            self.builder.put_in_place(self.out, [(made[-1], target)])
            outputs.append((made[-1], target))
        except ContentError as error:
            _cleanup(made)
            self.refused(error, sheets_written=bool(outputs))
            return
        except BaseException:
            _cleanup(made)
            raise
        # The new parts replace the old ones they were made for.
        previous = [self.sheets[s.entry.slug].path for s in fresh if s.entry.slug in self.sheets]
        if self.matter is not None and matter is not self.matter[0]:
            previous += [self.matter[0].front, self.matter[0].back]
        _cleanup(previous)
        self.sheets = {sheet.entry.slug: sheet for sheet in sheets}
        self.matter = (matter, shape)
        for problem in problems:
            self.report(str(problem))
        now = time.monotonic()
        self.said(
            f"{_now()} {_names(fresh)}: wrote {counted(len(outputs), 'PDF')} in "
            f"{now - started:.1f}s (sheets {sheets_done - started:.1f}s, front and back "
            f"matter {matter_said} {matter_done - sheets_done:.1f}s, booklet assembled "
            f"{now - matter_done:.1f}s)")
        if self.after:
            self.after(book)
        if self.warmed is not self.builder and chosen:  # for the saves to come
            self.builder.warm_up(chosen[0])
            self.warmed = self.builder
        elif len(fresh) <= LEND_AT_MOST:  # the sheets being edited, soon saved again
            for sheet in fresh:
                self.builder.lend_furniture(sheet.entry)

    def run(self, interval: float = POLL_SECONDS, rounds: int | None = None) -> None:
        """Watch until interrupted (or for `rounds` polls, for tests)."""
        self.report(f"watching {self.source}, {self.layout} and {FONTS} (Ctrl-C to stop); "
                    "every sheet is laid out once now, then each save lays out what it changed")
        done = 0
        with interrupts():  # Ctrl-C while a drawing is painted still stops, outputs intact
            while rounds is None or done < rounds:
                changed = self.changed_files()
                if changed:
                    self.rebuild(changed)
                done += 1
                self.saves.wait(interval)


def _now() -> str:
    return time.strftime("[%H:%M:%S]")


def _names(sheets: list[SheetPart]) -> str:
    return ", ".join(s.entry.slug for s in sheets) or "nothing to lay out"


def _unchanged(sheet: SheetPart) -> tuple:
    """A sheet made before, as it was (its entry is taken anew)."""
    return sheet.path, sheet.pages, sheet.starts, sheet.link_words

