"""Patent drawings: an SVG of the source folder, its callouts and its picked-out part,
composed into one inline SVG for the page.

The callouts (reference codes on lead lines) come from the sheet's data, so that drawing,
callouts and legend stay one piece of data. The drawing's ids are prefixed so that the
same drawing can appear on every sheet of a booklet.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from markupsafe import Markup, escape

from .model import Figure, LegendEntry

SVG = "http://www.w3.org/2000/svg"

CODE_SIZE = 4.6  # height of the callout lettering, in drawing units
LEAD_GAP = 3.2  # room left between a code and the start of its lead line
# Elements a drawing may hold: shapes, groups, clipping and patterns. No text, images,
# scripts, styles or foreign content: a drawing is line art and cannot fetch anything.
ALLOWED = {"svg", "g", "path", "line", "polyline", "polygon", "rect", "circle", "ellipse",
           "defs", "clipPath", "pattern", "use", "title", "desc"}


_ROOT_CONTENT = re.compile(r"<svg\b[^>]*>(.*)</svg>\s*$", re.DOTALL)


class DrawingError(ValueError):
    pass


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_drawing(path: Path) -> tuple[ET.Element, str]:
    """Parse a drawing and check it holds only line art; its tree and its text."""
    text = path.read_text(encoding="utf-8")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise DrawingError(f"{path.name} is not valid SVG: {error}") from None
    if _local(root.tag) != "svg" or not root.get("viewBox"):
        raise DrawingError(f"{path.name}: the root must be <svg> with a viewBox")
    for element in root.iter():
        name = _local(element.tag)
        if name not in ALLOWED:
            raise DrawingError(f"{path.name}: <{name}> is not allowed in a drawing")
        for attribute, value in element.attrib.items():
            if _local(attribute) == "href" and not value.startswith("#"):
                raise DrawingError(f"{path.name}: only internal references (#id) are allowed")
            if attribute.startswith("on") or "url(" in value and "url(#" not in value:
                raise DrawingError(f"{path.name}: attribute {attribute} is not allowed")
    return root, text


def _prefix_ids(svg: str, prefix: str) -> str:
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg)


def _callout(callout) -> str:
    (x, y), (tx, ty) = callout.at, callout.text_at
    length = math.hypot(x - tx, y - ty) or 1
    # Start the lead line just outside the code's lettering, towards the point.
    gap = min(LEAD_GAP, length / 2)
    sx, sy = tx + (x - tx) * gap / length, ty + (y - ty) * gap / length
    return (
        f'<line x1="{sx:.2f}" y1="{sy:.2f}" x2="{x}" y2="{y}" stroke="#000" '
        f'stroke-width="0.3"/>'
        f'<circle cx="{x}" cy="{y}" r="0.55" fill="#000"/>'
        f'<text x="{tx}" y="{ty + CODE_SIZE * 0.36:.2f}" font-family="osifont" '
        f'font-size="{CODE_SIZE}" text-anchor="middle">{escape(callout.code)}</text>'
    )


def _highlight(part: str, prefix: str) -> str:
    """Draw the picked-out part heavier and hatched, as a section in a patent drawing."""
    part = prefix + part  # ids are prefixed below; the selector must match them
    return (
        '<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="1.8" height="1.8" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="1.8" stroke="#000" '
        'stroke-width="0.3"/></pattern></defs>'
        f'<style>#{part} path, #{part} rect, #{part} circle, #{part} ellipse, '
        f'#{part} polygon {{ fill: url(#hatch); stroke-width: 1.1; }}</style>'
    )


def compose(figure: Figure, folder: Path, legend: list[LegendEntry], prefix: str) -> Markup:
    """The inline SVG of a figure, with its callouts, and a text alternative in words."""
    root, text = read_drawing(folder / figure.drawing)
    names = {entry.code: entry.label for entry in legend}
    words = ", ".join(f"({c.code}) {names.get(c.code, '')}" for c in figure.callouts)
    title = figure.alt or figure.label + (f" — {words}" if words else "")
    # The file's own markup, once checked above, between its root tags.
    inner = _ROOT_CONTENT.search(text)[1]
    extra = _highlight(figure.highlight, prefix) if figure.highlight else ""
    callouts = "".join(_callout(c) for c in figure.callouts)
    svg = (
        f'<svg xmlns="{SVG}" viewBox="{root.get("viewBox")}" class="drawing" role="img">'
        f"<title>{escape(title)}</title>{extra}{inner}{callouts}</svg>"
    )
    return Markup(_prefix_ids(svg, prefix))
