"""The drawing furniture (frame, heading band, title block) laid out once per sheet.

The fitting lays a sheet out several times (fitting.py: density steps, words kept whole),
and the furniture was about a fifth of each layout: its styles, its boxes, its layout on
every page. It is fixed to the page and takes no room in the text's flow, and it is the
same at every step (its styles do not inherit the density's type size or leading,
page.css). So a sheet's furniture is laid out once, alone on a page, and the sheet's
layouts go without it (build.SheetLayouts): their pages break and fill as they would with
it. The layout that is written is given it: `furnish` puts the laid-out boxes where the
engine would have, in the body on the first page (ahead of the text) and ahead of the
root's children on the others. The PDF is the same bytes as from a layout of the whole HTML
(tests/test_fitting.py). Under `watch`, the build's process lays out the furniture of the
sheets a save made, and lends it to every process it forks for the next save
(Builder.lend_furniture).

A layout marks its furniture with `<!-- furniture -->` and `<!-- /furniture -->` around it
(layouts/drawing/base.html.j2). Where it does not, every layout is complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK = "furniture"
START, END = f"<!-- {MARK} -->", f"<!-- /{MARK} -->"
_MARKED = re.compile(re.escape(START) + r"(.*?)" + re.escape(END), re.S)


def split(html: str) -> tuple[str | None, str]:
    """(the furniture's HTML, the HTML without it); (None, html) if nothing is marked."""
    marked = _MARKED.search(html)
    if marked is None:
        return None, html
    return marked.group(1), html[:marked.start()] + html[marked.end():]


def alone(html: str) -> str | None:
    """The HTML with nothing in its body but the furniture; None if nothing is marked."""
    marked, body_end = _MARKED.search(html), html.rfind("</body>")
    if marked is None or body_end < marked.end():
        return None
    return html[:marked.end()] + html[body_end:]


@dataclass(frozen=True)
class Furniture:
    """A sheet's furniture: its HTML, and its boxes laid out on the first page (the
    engine's stand-ins for them in the body, each holding its laid-out box)."""

    html: str
    boxes: tuple


def _is_mark(node, text: str) -> bool:
    return not isinstance(node.tag, str) and (node.text or "").strip() == text


def _furniture_elements(body) -> set:
    """The elements between the furniture's marks in the `<body>`."""
    inside, found = False, set()
    for child in body:
        if _is_mark(child, MARK):
            inside = True
        elif _is_mark(child, f"/{MARK}"):
            break
        elif inside:
            found.add(child)
    return found


def _root_and_body(page) -> tuple:
    """A laid-out page's root box and, within it, its `<body>`'s box."""
    root = page._page_box.children[0]
    return root, next(child for child in root.children if child.element_tag == "body")


def of(document, marked: str | None) -> Furniture | None:
    """The furniture of `document`, a layout of HTML whose furniture is `marked` (`split`)
    (the whole HTML, or the furniture alone: `alone`); None if none is marked, or if what
    is marked is not all fixed to the page (it could take room in the text's flow: every
    layout is then complete)."""
    if marked is None or not document.pages:
        return None
    _, body = _root_and_body(document.pages[0])
    elements = _furniture_elements(body.element)
    boxes = tuple(child for child in body.children
                  if getattr(child, "_box", None) is not None  # the engine's stand-in
                  and child._box.element in elements and child.style["position"] == "fixed")
    return Furniture(marked, boxes) if len(boxes) == len(elements) else None


def furnish(document, furniture: Furniture):
    """`document`, laid out without its furniture, given `furniture`'s boxes, as the engine
    places fixed boxes: in the body on the first page, ahead of the root's children on
    the others (every page of a sheet has the first page's size and margins)."""
    for number, page in enumerate(document.pages):
        root, body = _root_and_body(page)
        if number == 0:
            body.children = list(furniture.boxes) + body.children
        else:
            root.children = [stand_in._box for stand_in in furniture.boxes] + root.children
    return document
