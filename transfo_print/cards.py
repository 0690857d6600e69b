"""Workshop cards: every challenge as an A6 card, four to an A4 page, printed duplex.

Fronts carry the challenge and its code (003-001: sheet, challenge); backs carry the sheet's
number, title, lead sentence and the vehicle with the sheet's part picked out. Backs are
mirrored left to right, so that each back falls behind its front when the A4 sheet is
printed duplex (flipped on the long edge) and cut along the crop marks. The mirror is the
stylesheet's (a back card floats right): in the file, and so to a screen reader, the backs
come in the fronts' order.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Book, BookSheet, Challenge
from .paths import DEFAULT_LAYOUT, FONTS

PER_PAGE = 4  # 2 columns x 2 rows of A6 on A4


@dataclass(frozen=True)
class Card:
    entry: BookSheet
    challenge: Challenge
    code: str  # "003-001"


def cards_of(book: Book) -> list[Card]:
    cards = []
    for entry in book.sheets:
        for index, challenge in enumerate(entry.sheet.sections.challenges.items, 1):
            number = challenge.number or index
            cards.append(Card(entry, challenge, f"{entry.sheet.number:03d}-{number:03d}"))
    return cards


def pages_of(cards: list[Card]) -> list[tuple[str, list[Card | None]]]:
    """("front"|"back", cells in reading order) for each printed page, fronts then backs.

    A back page holds the same cards as the front before it (page.css sets each of its rows
    mirrored).
    """
    pages = []
    for start in range(0, len(cards), PER_PAGE):
        front: list[Card | None] = cards[start:start + PER_PAGE]
        front += [None] * (PER_PAGE - len(front))
        pages += [("front", front), ("back", front)]
    return pages


def make_cards(book: Book, layout=DEFAULT_LAYOUT) -> bytes:
    from .render import Renderer
    from .typeset import Typesetter

    ts = Typesetter(book, layout)
    html = ts.cards_html(pages_of(cards_of(book)))
    renderer = Renderer(layout, [layout, FONTS, book.folder / "figures"])
    return renderer.write(renderer.render(html), [])
