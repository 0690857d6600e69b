"""A box's lengths worked out once per style and containing block, however often the engine
lays the box out again.

Before it lays a box out, WeasyPrint sets the box's margins, paddings, borders, width and
height from its style, resolving percentages against its containing block
(`resolve_percentages`): eighteen lengths, each looked up in the style and converted. A
sheet's columns are laid out at every height their balancing tries, and blocks again when a
page break moves them, so the same style meets the same containing block again and again
(about six times in seven on the shipped sheets). What comes out depends only on the
style, the containing block's width and height, and whether the box is a page, so
`Resolved` keeps it for the rest of the document and sets the box's lengths from it. The
PDFs are the same byte for byte (tests/test_percentages.py).

Tables whose borders collapse take some border widths from the box itself: the engine
resolves those every time. The lengths kept are those WeasyPrint 70's `percent` module
sets; `install` leaves another version's engine as it is (`engine.known`).
"""

from __future__ import annotations

import importlib

from . import engine

# what the engine's resolve_percentages sets on a box
SIDES = ("top", "right", "bottom", "left")
LENGTHS = (*(f"margin_{side}" for side in SIDES), *(f"padding_{side}" for side in SIDES),
           *(f"border_{side}_width" for side in SIDES),
           "width", "min_width", "max_width", "height", "min_height", "max_height")
# the engine's modules that look `resolve_percentages` up in their own namespace
_LAYOUT_MODULES = ("absolute", "block", "column", "float", "grid", "inline", "page", "table")


class Resolved:
    """One document's lengths, by style, containing block and kind of box. A key names
    its style by identity; each entry holds on to the style, so that identity cannot be
    reused while it is kept."""

    def __init__(self):
        self.by_key: dict[tuple, tuple] = {}
        self.asked = self.answered = 0

    def forget(self) -> None:
        """A new document: the last one's styles are let go."""
        self.by_key = {}

    def resolve(self, engine_resolve, box, containing_block) -> None:
        from weasyprint.formatting_structure import boxes

        style = box.style
        if style["border_collapse"] == "collapse":
            engine_resolve(box, containing_block)
            return
        if isinstance(containing_block, boxes.Box):
            block = (containing_block.width, containing_block.height)
        else:
            block = tuple(containing_block)
        key = (id(style), block, isinstance(box, boxes.PageBox))
        self.asked += 1
        found = self.by_key.get(key)
        if found is not None and found[0] is style:
            self.answered += 1
            box.__dict__.update(found[1])
            return
        engine_resolve(box, containing_block)
        self.by_key[key] = (style, {name: getattr(box, name) for name in LENGTHS})


resolved = Resolved()


def _users(percent) -> list:
    """The engine's modules that call `resolve_percentages`, `percent` among them."""
    return [percent, *(importlib.import_module(f"weasyprint.layout.{name}")
                       for name in _LAYOUT_MODULES)]


def install() -> bool:
    """Have the engine's layout resolve lengths through `resolved` (once per process);
    whether it could be done."""
    from weasyprint.layout import percent

    engine_resolve = percent.resolve_percentages
    if hasattr(engine_resolve, "engine_resolve"):
        return True
    if not engine.known(percent):
        return False

    def resolve_percentages(box, containing_block):
        resolved.resolve(engine_resolve, box, containing_block)

    resolve_percentages.engine_resolve = engine_resolve
    # flex.py calls it through its module, the others by the name they imported
    for module in _users(percent):
        module.resolve_percentages = resolve_percentages
    return True


def uninstall() -> None:
    """The engine resolves every box's lengths itself again (to compare with it)."""
    from weasyprint.layout import percent

    engine_resolve = getattr(percent.resolve_percentages, "engine_resolve", None)
    if engine_resolve is not None:
        for module in _users(percent):
            module.resolve_percentages = engine_resolve
    resolved.forget()
