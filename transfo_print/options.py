"""What a build makes. Kept apart from the build itself so that checking whether a build
is up to date imports nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Book, BookSheet


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


DEFAULT_OPTIONS = Options()
