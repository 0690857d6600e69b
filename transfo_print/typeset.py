"""Typeset the model into HTML through the Jinja2 templates of a layout folder.

One HTML document per sheet (so each sheet is laid out once and its pages serve both the
sheet PDF and the booklet), one for the front matter and one for the back matter.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import __version__
from .figures import compose
from .model import Book, BookSheet
from .paths import DEFAULT_LAYOUT
from .photos import grey_data_url
from .typography import typeset

# Parts in print order; the numbered ones get N°. SSS.PPP (sheet, part).
PARTS = ("hypothesis", "observations", "lessons", "challenges", "testimonials")
NUMBERED_PARTS = ("hypothesis", "observations", "lessons", "challenges")


@dataclass(frozen=True)
class Paper:
    """A sheet size and the ISO 5457 frame drawn on it (all in mm)."""

    name: str
    width: float
    height: float
    filing_margin: float = 20  # left border, for binding
    border: float = 10  # the other three borders
    field: float = 50  # grid reference field size

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the frame."""
        return (self.filing_margin, self.border,
                self.width - self.filing_margin - self.border, self.height - 2 * self.border)

    def zones(self, start: float, length: float) -> list[tuple[float, float]]:
        """Grid fields along one side: 50 mm counted outward from the centre."""
        centre = start + length / 2
        cuts = {start, start + length}
        step = self.field
        while step < length / 2:
            cuts.update({centre - step, centre + step})
            step += self.field
        cuts.add(centre)
        edges = sorted(cuts)
        return list(zip(edges, edges[1:], strict=False))


PAPERS = {
    "a4": Paper("a4", 210, 297),
    "a3": Paper("a3", 420, 297),  # landscape, for a wall
    "letter": Paper("letter", 215.9, 279.4),
}
BLEED_MM = 3  # print-shop variant: the bleed, and beyond it room for crop marks
MARK_ROOM_MM = 10

# Grid letters skip I and O (ISO 5457), so they are never read as 1 and 0.
ZONE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def document_date(issued: datetime.date) -> str:
    """The PDFs' creation and modification date: the publication's date, or the time
    SOURCE_DATE_EPOCH gives (the reproducible-builds convention), never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{issued.isoformat()}T00:00:00Z"


@dataclass(frozen=True)
class Font:
    name: str
    licence: str


# The fonts the layouts may use, all vendored in fonts/ with their licence files.
FONTS = (
    Font("osifont", "GPL 3 with font exception"),
    Font("EB Garamond", "SIL Open Font License 1.1"),
    Font("DejaVu Sans", "Bitstream Vera licence"),
)


@dataclass(frozen=True)
class Folio:
    """Where something starts in the booklet: its printed label and physical page."""

    label: str
    page: int


class Typesetter:
    def __init__(self, book: Book, layout: Path = DEFAULT_LAYOUT, paper: str = "a4",
                 press: bool = False):
        self.book = book
        self.layout = Path(layout)
        self.paper = PAPERS[paper]
        self.press = press
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.layout),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        language = book.publication.language
        self.env.filters["typo"] = lambda text: typeset(text, language)
        self.env.globals.update(self._globals())

    def _globals(self) -> dict:
        pub = self.book.publication
        labels = pub.labels
        x, y, w, h = self.paper.frame
        return {
            "pub": pub,
            "labels": labels,
            "paper": self.paper,
            "columns": self.paper.zones(x, w),
            "rows": self.paper.zones(y, h),
            "zone_letters": ZONE_LETTERS,
            "date_label": f"{pub.date.day:02d} {labels.months[pub.date.month - 1]} {pub.date.year}",
            "version": __version__,
            "stamp": document_date(pub.date),
            "count": self.book.count,
            "parts": PARTS,
            "press": self.press,
            "bleed": BLEED_MM,
            "mark_room": MARK_ROOM_MM,
        }

    # --- names shared by templates and the booklet stage ---------------------------------

    def sheet_label(self, entry: BookSheet) -> str:
        return self.book.publication.labels.sheet.format(
            number=f"{entry.sheet.number:02d}", count=f"{self.book.count:02d}"
        )

    @staticmethod
    def part_number(entry: BookSheet, part: str) -> str | None:
        if part not in NUMBERED_PARTS:
            return None
        return f"{entry.sheet.number:03d}.{NUMBERED_PARTS.index(part) + 1:03d}"

    @staticmethod
    def anchor(entry: BookSheet, part: str | None = None) -> str:
        """Element ids, unique across sheets so the combined booklet keeps them apart."""
        base = f"s{entry.sheet.number:02d}"
        return f"{base}-{part}" if part else base

    def drawing(self, entry: BookSheet, index: int, prefix: str = "") -> Markup:
        figure = entry.sheet.figures[index]
        prefix = f"{prefix}{self.anchor(entry)}-f{index}-"
        return compose(figure, self.book.folder, entry.sheet.legend, prefix)

    def photo_url(self, image: str) -> str:
        """The photo as the layout engine should fetch it: the file, or a grey copy."""
        path = self.book.folder / image
        if self.book.publication.photos != "grey":
            return path.resolve().as_uri()  # the fetcher reads it, under the same rule
        return grey_data_url(path, path.parent)

    @staticmethod
    def qr(address: str) -> Markup:
        """A QR code of `address`, as vector paths."""
        import segno

        code = segno.make(address, error="m")
        return Markup(code.svg_inline(scale=1, border=0, omitsize=True, svgclass="qr",
                                      title=address))

    def part_title(self, part: str) -> str:
        return getattr(self.book.publication.labels, part)

    # --- documents ------------------------------------------------------------------------

    def sheet_html(self, entry: BookSheet) -> str:
        return self.env.get_template("sheet.html.j2").render(
            entry=entry, sheet=entry.sheet, ts=self, doc_title=self.sheet_label(entry)
        )

    def front_html(
        self, contents: list[tuple[BookSheet, dict[str, Folio]]], back_folios: dict[str, str]
    ) -> str:
        return self.env.get_template("front.html.j2").render(
            ts=self, contents=contents, back_folios=back_folios
        )

    def cards_html(self, pages) -> str:
        return self.env.get_template("cards.html.j2").render(ts=self, pages=pages)

    def back_html(
        self, contents: list[tuple[BookSheet, dict[str, Folio]]], pages_before: int,
        engine_version: str,
    ) -> str:
        """Parts list and colophon; their folios go on from the front matter's."""
        parts_list = [
            (entry, item, folios[""]) for entry, folios in contents
            for item in entry.sheet.legend
        ]
        return self.env.get_template("back.html.j2").render(
            ts=self, parts_list=parts_list, pages_before=pages_before,
            fonts=FONTS, engine_version=engine_version,
        )
