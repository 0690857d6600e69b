"""A sheet's HTML parsed for the layout engine, its drawings by an XML parser and kept out
of the engine's way until it draws them.

The engine parses HTML with tinyhtml5, in pure Python. A sheet's inline SVG drawings
(figures.compose) are most of its markup (about two elements in three), and take about four
fifths of that parse: 0.1 to 0.2 s at each of the sheet's layouts, where Python's expat reads
them in a few milliseconds. `cut_drawings` takes each drawing out of the HTML and leaves an
empty stand-in; once the engine has parsed the rest, `put_back` gives each stand-in its
drawing's attributes, and keeps the drawing aside.

The engine then applies the stylesheets to every element of the tree and makes a box of each,
then throws the boxes made inside an `<svg>` away: it draws the `<svg>` from its elements, by
its own rules. A stand-in has no elements, so none of that is done for nothing; the engine's
`<svg>` handler is given the drawing (`install`). What it draws is the tree tinyhtml5 builds
from the whole HTML (SVG elements in the SVG namespace, the `xmlns` attribute in the XMLNS
one), so the PDFs are the same.

A drawing expat cannot read (it never happens with figures.compose's markup) is left in the
HTML for the engine.
"""

from __future__ import annotations

import re
import weakref
import xml.etree.ElementTree as ET

from . import engine
from .figures import SVG

XMLNS = "http://www.w3.org/2000/xmlns/"
STAND_IN = "data-drawing"
# how figures.compose opens a drawing; it writes every element with an end tag
_DRAWING = re.compile(rf'<svg xmlns="{re.escape(SVG)}"[^>]*\bclass="drawing"')
_SVG_TAG = re.compile(r"<svg\b|</svg>")
SVG_ELEMENT = f"{{{SVG}}}svg"
# each stand-in's drawing, for as long as the engine's tree holds the stand-in
drawing_of: weakref.WeakKeyDictionary[ET.Element, ET.Element] = weakref.WeakKeyDictionary()


def cut_drawings(html: str) -> tuple[str, list[ET.Element]]:
    """The HTML with each drawing replaced by an empty stand-in, and the drawings, parsed."""
    parts: list[str] = []
    drawings: list[ET.Element] = []
    done = 0
    for opening in _DRAWING.finditer(html):
        start = opening.start()
        if start < done:  # inside the drawing just cut
            continue
        depth = 0
        for tag in _SVG_TAG.finditer(html, start):
            depth += 1 if tag.group() == "<svg" else -1
            if depth == 0:
                break
        if depth:
            break
        try:
            drawing = ET.fromstring(html[start:tag.end()])
        except ET.ParseError:
            continue
        drawing.set(f"{{{XMLNS}}}xmlns", SVG)
        parts += [html[done:start], f'<svg {STAND_IN}="{len(drawings)}"></svg>']
        drawings.append(drawing)
        done = tag.end()
    parts.append(html[done:])
    return "".join(parts), drawings


def put_back(root: ET.Element, drawings: list[ET.Element]) -> None:
    """Each stand-in in the tree the engine parsed made an empty copy of its drawing's
    `<svg>`, which the engine's `<svg>` handler is given instead (`install`)."""
    if not drawings:
        return
    for parent in root.iter():
        for index, child in enumerate(parent):
            number = child.get(STAND_IN) if child.tag == SVG_ELEMENT else None
            if number is not None:
                drawing = drawings[int(number)]
                empty = ET.Element(drawing.tag, drawing.attrib)
                empty.tail = child.tail
                parent[index] = empty
                drawing_of[empty] = drawing


def install() -> bool:
    """Have the engine draw each stand-in's drawing (once per process); whether it could
    be done."""
    from weasyprint import html

    if installed():
        return True
    handle = html.HTML_HANDLERS[SVG_ELEMENT]
    if not engine.known(handle):
        return False

    def draw(element, box, get_image_from_uri, base_url):
        return handle(drawing_of.get(element, element), box, get_image_from_uri, base_url)

    draw.draws_drawings = True
    html.HTML_HANDLERS[SVG_ELEMENT] = draw
    return True


def installed() -> bool:
    """Whether the engine draws stand-ins' drawings: drawings are cut out only then."""
    from weasyprint import html

    return getattr(html.HTML_HANDLERS[SVG_ELEMENT], "draws_drawings", False)
