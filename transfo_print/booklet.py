"""Assemble rendered pages into finished PDFs: page labels, and files written atomically.

The booklet is one WeasyPrint document made of the pages already laid out for the sheets
(one font subset per font, one tag tree). Page labels, which WeasyPrint does not write,
are added to the catalog by a finisher while it writes, which keeps the structure tree,
/Lang and /MarkInfo as WeasyPrint made them and costs no second pass over the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LabelRange:
    """Pages [first, first + count) labelled `prefix` + a number in `style` from `start`."""

    first: int
    count: int
    style: str  # "/D" decimal, "/r" lower roman
    prefix: str = ""
    start: int = 1


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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


def finisher(labels: list[LabelRange]):
    """A WeasyPrint finisher adding page labels and opening the bookmarks panel.

    Done while WeasyPrint writes the file, so no second parse of the PDF is needed.
    """
    import pydyf

    def finish(document, pdf) -> None:
        numbers = pydyf.Array()
        for r in labels:
            label = pydyf.Dictionary({"S": r.style, "St": r.start})
            if r.prefix:
                label["P"] = pydyf.String(r.prefix)
            numbers.extend([r.first, label])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": numbers})
        pdf.catalog["PageMode"] = "/UseOutlines"

    return finish


def combine(documents: list):
    """One WeasyPrint document holding the pages of all `documents`, in order."""
    return documents[0].copy([page for doc in documents for page in doc.pages])
