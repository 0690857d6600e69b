"""A sheet's HTML parsed for the layout engine, its drawings by an XML parser.

The engine parses HTML with tinyhtml5, in pure Python. A sheet's inline SVG drawings
(figures.compose) are most of its markup, and take about four fifths of that parse: 0.1 to
0.2 s at each of the sheet's layouts, where Python's expat reads them in a few
milliseconds. `cut_drawings` takes each drawing out of the HTML and leaves an empty stand-in;
once the engine has parsed the rest, `put_back` puts the drawings, parsed by expat, in the
stand-ins' places. The tree is the one tinyhtml5 builds from the whole HTML (SVG elements in
the SVG namespace, the `xmlns` attribute in the XMLNS one), so the PDFs are the same.

A drawing expat cannot read (it never happens with figures.compose's markup) is left in the
HTML for the engine.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .figures import SVG

XMLNS = "http://www.w3.org/2000/xmlns/"
STAND_IN = "data-drawing"
# how figures.compose opens a drawing; it writes every element with an end tag
_DRAWING = re.compile(rf'<svg xmlns="{re.escape(SVG)}"[^>]*\bclass="drawing"')
_SVG_TAG = re.compile(r"<svg\b|</svg>")


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
    """Each drawing in its stand-in's place, in the tree the engine parsed."""
    if not drawings:
        return
    stand_in = f"{{{SVG}}}svg"
    for parent in root.iter():
        for index, child in enumerate(parent):
            number = child.get(STAND_IN) if child.tag == stand_in else None
            if number is not None:
                drawing = drawings[int(number)]
                drawing.tail = child.tail
                parent[index] = drawing
