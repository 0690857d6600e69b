"""What a build makes. Kept apart from the build itself so that checking whether a build
is up to date imports nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .geometry import DEFAULT_PAPER

if TYPE_CHECKING:
    from .model import Book, BookSheet


PRINT_FOLDER = Path("print")  # in the output folder: the print shop's and the printer's files


@dataclass(frozen=True)
class Options:
    """What to make. The defaults are the A4 sheets and booklet for handing out."""

    paper: str = DEFAULT_PAPER
    only: tuple[int, ...] = ()  # sheet numbers of a workshop booklet; () for all
    press: bool = False  # print-shop booklet: bleed, crop marks, PDF/X-4, no sheet PDFs

    def suffix(self) -> str:
        parts = [] if self.paper == DEFAULT_PAPER else [self.paper]
        if self.only:
            parts.append("sheets-" + "-".join(f"{n:02d}" for n in self.only))
        return "".join(f"-{p}" for p in parts)

    def booklet_path(self, book: Book) -> Path:
        name = book.publication.output + self.suffix()
        return PRINT_FOLDER / f"{name}-print.pdf" if self.press else Path(f"{name}.pdf")

    def sheet_path(self, entry: BookSheet) -> Path:
        suffix = "" if self.paper == DEFAULT_PAPER else f"-{self.paper}"
        return Path("sheets") / f"{entry.slug}{suffix}.pdf"


DEFAULT_OPTIONS = Options()
