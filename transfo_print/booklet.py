"""Finished PDFs: page labels, and files written atomically and put in place as one set.

Page labels, which WeasyPrint does not write, are added to the catalog of each PDF by a
finisher while it writes, which costs no second pass over the file; the booklet, assembled
from the finished PDFs of its parts (assemble.py), gets its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import stopping
from .geometry import PT_PER_MM


@dataclass(frozen=True)
class LabelRange:
    """Pages [first, first + count) labelled `prefix` + a number in `style` from `start`."""

    first: int
    count: int
    style: str  # "/D" decimal, "/r" lower roman, "" no number
    prefix: str = ""
    start: int = 1


def blank_pages(pages: int) -> tuple[int, int]:
    """(where, how many): the blank pages that make a booklet of `pages` pages a multiple of
    four, as folded sheets have, inserted before the page at index `where` (0-based): before
    the back cover, so that none falls inside the publication; after a lone front cover."""
    return (pages if pages < 2 else pages - 1), -pages % 4


def with_blank_pages(labels: list[LabelRange], where: int, count: int) -> list[LabelRange]:
    """The page labels once `count` blank pages are inserted at index `where`: the pages
    after them keep their labels, and the blanks have none."""
    if not count:
        return labels
    moved = [LabelRange(where, count, "")]
    for r in labels:
        before = max(0, min(r.count, where - r.first))  # pages of the range before the blanks
        if before:
            moved.append(LabelRange(r.first, before, r.style, r.prefix, r.start))
        if before < r.count:
            moved.append(LabelRange(max(r.first, where) + count, r.count - before, r.style,
                                    r.prefix, r.start + before))
    return sorted(moved, key=lambda r: r.first)


def temporary_beside(path: Path) -> Path:
    """A new, unique temporary file in the folder of `path` (same file system: atomic rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    return Path(temporary)


def write_temporary(temporary: Path, data: bytes) -> None:
    """Write `data` to the temporary file, on disk before it is renamed into place."""
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def replace(temporary: Path, path: Path) -> None:
    """Put a complete temporary file in place of `path`, in one rename."""
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    made: list[Path] = []
    try:
        with stopping.held_back():  # a signal stops it once the file is known, to remove
            made.append(temporary_beside(path))
        write_temporary(made[0], data)
        replace(made[0], path)
    except BaseException as error:
        for temporary in made:
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.strerror:  # named as the user knows it
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _keep(path: Path) -> Path | None:
    """A second name for the file now at `path` (a hard link), to put back if need be."""
    if not path.exists():
        return None
    backup = temporary_beside(path)
    backup.unlink()
    try:
        os.link(path, backup)
    except OSError:  # a file system without hard links: a copy
        shutil.copy2(path, backup)
    return backup


def replace_all(pairs: list[tuple[Path, Path]], final: bool = False) -> None:
    """Put every (temporary, target) in place as one set: all of them or none. `final`:
    the build's last step; once they are in place, a signal is let go (`stopping.placed`).

    SIGINT and SIGTERM are held while the files are renamed; one that arrived meanwhile,
    or any failure, puts the previous files back before the signal is let through. Held
    twice: blocked for this thread, and, for one that another thread of the process takes
    (the engine's libraries start some) and Python hands to this one all the same, only
    recorded by the build's handler (`stopping.held_back`).
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    kept: list[tuple[Path | None, Path]] = []
    try:
        with stopping.held_back():  # raises, once the block is done, what it received
            try:
                for temporary, target in pairs:
                    kept.append((_keep(target), target))
                    replace(temporary, target)
                # placed first: a signal is then either seen below or let go, never both
                if final:
                    stopping.placed(True)
                stopped = bool(HELD_SIGNALS & signal.sigpending()) or stopping.received()
            except BaseException:
                stopped = True
                raise
            finally:
                if stopped and final:
                    stopping.placed(False)
                for backup, target in reversed(kept):
                    if stopped:
                        if backup is not None:
                            os.replace(backup, target)
                        else:
                            target.unlink(missing_ok=True)
                    elif backup is not None:
                        backup.unlink(missing_ok=True)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a held signal arrives here


@contextlib.contextmanager
def output_lock(folder: Path):
    """Hold an exclusive lock on the output folder while its files are replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".transfo-print.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_RANDOM_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def _steady_document_id(pdf) -> None:
    """PDF/X-4 metadata gets a random document id; derive it from the metadata instead,
    so that the same sources give the same bytes."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            data = b"".join(obj.stream)
            if _RANDOM_ID.search(data):
                steady = uuid.UUID(hashlib.sha256(_RANDOM_ID.sub(b"", data)).hexdigest()[:32])
                obj.stream = [_RANDOM_ID.sub(f"xmp.did:{steady}".encode(), data)]


def finisher(labels: list[LabelRange], bleed_mm: float | None = None):
    """A WeasyPrint finisher adding page labels and opening the bookmarks panel, and for
    the press setting each page's BleedBox to `bleed_mm` around its TrimBox.

    Done while WeasyPrint writes the file, so no second parse of the PDF is needed.
    """
    import pydyf

    def finish(document, pdf) -> None:
        if bleed_mm is not None:
            bleed = bleed_mm * PT_PER_MM
            for obj in pdf.objects:
                if isinstance(obj, pydyf.Dictionary) and "TrimBox" in obj:
                    left, top, right, bottom = obj["TrimBox"]
                    obj["BleedBox"] = pydyf.Array(
                        [left - bleed, top - bleed, right + bleed, bottom + bleed])
        numbers = pydyf.Array()
        for r in labels:
            label = pydyf.Dictionary({"S": r.style, "St": r.start})
            if r.prefix:
                label["P"] = pydyf.String(r.prefix)
            numbers.extend([r.first, label])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": numbers})
        pdf.catalog["PageMode"] = "/UseOutlines"
        _steady_document_id(pdf)

    return finish
