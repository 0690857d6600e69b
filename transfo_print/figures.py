"""Patent drawings: an SVG of the source folder, its callouts and its picked-out part,
composed into one inline SVG for the page.

The callouts (reference codes on lead lines) come from the sheet's data, so that drawing,
callouts and legend stay one piece of data. The drawing's ids are prefixed so that the
same drawing can appear on every sheet of a booklet.

A drawing is parsed into a tree, checked, and written out again from that tree with every
attribute escaped: the page never receives a byte of the file as it was typed, so nothing
the check did not see (a processing instruction, an entity, a stray `<`) can reach it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from markupsafe import Markup, escape

from . import geometry
from .inputs import InputRefused, read_input
from .model import Figure, LegendEntry

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"

CODE_SIZE = 4.6  # height of the callout lettering, in drawing units
LEAD_GAP = 3.2  # room left between a code and the start of its lead line
KEY_PLAN = "key-plan"  # id (prefixed) of the drawing drawn light under its picked-out part
# Elements a drawing may hold: shapes, groups, clipping and patterns. No text, images,
# scripts, styles or foreign content: a drawing is line art and cannot fetch anything.
ALLOWED = {"svg", "g", "path", "line", "polyline", "polygon", "rect", "circle", "ellipse",
           "defs", "clipPath", "pattern", "use", "title", "desc"}
METADATA = {"title", "desc"}  # allowed, but not drawn: not written out
# Attributes of the root <svg> that size or place the drawing, which the layout does; its
# other attributes (fill, stroke, stroke-width...) go on a group around its content.
ROOT_PLACEMENT = {"viewBox", "width", "height", "x", "y", "version", "baseProfile",
                  "preserveAspectRatio"}

# Limits far above a real drawing (the largest here is 32 kB, 170 elements, 6 levels, no <use>),
# low enough that no file can make the layout engine run for minutes or fill the memory.
MAX_BYTES = 1_000_000
MAX_ELEMENTS = 5_000
MAX_NESTING = 50
MAX_USE_DEPTH = 4  # a <use> of a <use> of ...
MAX_DRAWN = 10_000  # elements painted once every <use> is expanded


class DrawingError(ValueError):
    pass


@dataclass
class Node:
    """One element of a checked drawing."""

    name: str
    attributes: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)

    def iter(self):
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def get(self, name: str, default=None):
        return self.attributes.get(name, default)


def _parse(data: bytes, name: str) -> Node:
    """The tree of an SVG file, built by the XML parser; refuses DTDs and entities (nothing
    in line art needs them) and stops at the limits while reading."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Node] = []
    root: list[Node] = []
    count = 0

    def fail(message: str):
        raise DrawingError(f"{name}:{parser.CurrentLineNumber}: {message}")

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal count
        namespace, _, local = tag.rpartition(" ")
        if namespace != SVG:
            fail(f"<{local}> is not an SVG element (the root needs xmlns=\"{SVG}\")")
        if local not in ALLOWED:
            fail(f"<{local}> is not allowed in a drawing")
        count += 1
        if count > MAX_ELEMENTS:
            fail(f"more than {MAX_ELEMENTS:,} elements: too large for a drawing")
        if len(stack) >= MAX_NESTING:
            fail(f"elements nested more than {MAX_NESTING} deep")
        kept = {}
        for key, value in attributes.items():
            space, _, attribute = key.rpartition(" ")
            if space == XLINK and attribute == "href":
                space = ""  # SVG 2 spelling: plain href
            if space:
                continue  # editor metadata (inkscape:, sodipodi:, xml:space): never drawn
            if attribute == "href" and not value.startswith("#"):
                fail("only internal references (#id) are allowed")
            if attribute.lower().startswith("on") or ("url(" in value and "url(#" not in value):
                fail(f"attribute {attribute} is not allowed")
            kept[attribute] = value
        node = Node(local, kept, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def refuse_dtd(*_):
        fail("document types and entities are not allowed in a drawing")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise DrawingError(f"{name} is not valid SVG: {expat.errors.messages[error.code]} "
                           f"(line {error.lineno})") from None
    return root[0]


def view_box(root: Node, name: str) -> tuple[float, ...]:
    try:
        box = tuple(float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()))
    except ValueError:
        box = ()
    if len(box) != 4 or not all(math.isfinite(v) for v in box) or box[2] <= 0 or box[3] <= 0:
        raise DrawingError(f"{name}: the root must be <svg> with a viewBox of four numbers, "
                           "width and height above zero")
    return box


# A reference to a part of the same drawing in an attribute: clip-path, mask, fill...
_URL_REFERENCE = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)")


def _check_references(root: Node, name: str) -> None:
    """<use> chains: no cycle, bounded depth, and a bounded number of elements painted once
    every <use> is expanded (a few levels of fan-out multiply quickly). References through
    `url(#…)` (a clip path, a mask, a pattern): no cycle, which the engine would follow for
    ever."""
    by_id: dict[str, Node] = {}
    for node in root.iter():
        ident = node.get("id")
        if ident and by_id.setdefault(ident, node) is not node:  # which would a reference mean?
            raise DrawingError(f"{name}:{node.line}: id `{ident}` is also that of the "
                               f"<{by_id[ident].name}> on line {by_id[ident].line}")
    drawn: dict[int, tuple[int, int]] = {}  # id(node) -> (elements painted, <use> depth)
    visiting: set[int] = set()

    def measure(node: Node) -> tuple[int, int]:
        if id(node) in drawn:
            return drawn[id(node)]
        if id(node) in visiting:
            raise DrawingError(f"{name}:{node.line}: <{node.name}> refers to itself through <use>")
        visiting.add(id(node))
        total, depth = 1, 0
        for attribute, value in node.attributes.items():
            for target in _URL_REFERENCE.findall(value):
                if id(by_id.get(target)) in visiting:
                    raise DrawingError(f"{name}:{node.line}: <{node.name}> refers to itself "
                                       f"through {attribute}=\"url(#{target})\"")
                if target in by_id:
                    measure(by_id[target])  # for what it refers to in turn
        if node.name == "use":
            target = by_id.get(node.get("href", "#")[1:])
            if target is None:
                raise DrawingError(f"{name}:{node.line}: <use> refers to no element "
                                   f"(`{node.get('href')}`)")
            count, inner = measure(target)
            total, depth = total + count, inner + 1
        for child in node.children:
            count, inner = measure(child)
            total, depth = total + count, max(depth, inner)
        visiting.discard(id(node))
        if depth > MAX_USE_DEPTH:
            raise DrawingError(f"{name}:{node.line}: <use> nested more than {MAX_USE_DEPTH} deep")
        if total > MAX_DRAWN:
            raise DrawingError(f"{name}:{node.line}: more than {MAX_DRAWN:,} elements to paint "
                               "once every <use> is expanded")
        drawn[id(node)] = (total, depth)
        return total, depth

    measure(root)


def read_drawing(path: Path, folder: Path) -> Node:
    """Read, parse and check a drawing of the publication in `folder` (where it must be,
    links resolved: a `figures/` that is a link out of it is refused); its checked tree."""
    name = path.name
    try:
        data = read_input(path, folder, MAX_BYTES)
    except InputRefused as error:
        raise DrawingError(str(error)) from None
    if not data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<":  # a BOM is harmless
        raise DrawingError(f"{name} is not an SVG file (it does not start with `<`; "
                           "an image saved as .svg?)")
    root = _parse(data, name)
    if root.name != "svg":
        raise DrawingError(f"{name}: the root must be <svg> with a viewBox")
    view_box(root, name)
    _check_references(root, name)
    return root


def _prefixed(value: str, attribute: str, prefix: str) -> str:
    if attribute == "id":
        return prefix + value
    if attribute == "href":
        return "#" + prefix + value[1:]
    return re.sub(r"url\(\s*#", f"url(#{prefix}", value)


def _write(node: Node, prefix: str, out: list[str]) -> None:
    """The element, escaped, as SVG markup for the page."""
    attributes = "".join(f' {k}="{escape(_prefixed(v, k, prefix))}"'
                         for k, v in node.attributes.items())
    out.append(f"<{node.name}{attributes}>")
    for child in node.children:
        if child.name not in METADATA:
            _write(child, prefix, out)
    out.append(f"</{node.name}>")


def lead_line(callout) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where a callout's lead line starts, just outside its code's lettering towards the
    point, and where it ends."""
    (x, y), (tx, ty) = callout.at, callout.text_at
    length = math.hypot(x - tx, y - ty) or 1
    gap = min(LEAD_GAP, length / 2)
    return (tx + (x - tx) * gap / length, ty + (y - ty) * gap / length), (x, y)


def _callout(callout) -> str:
    (sx, sy), (x, y) = lead_line(callout)
    tx, ty = callout.text_at
    return (
        f'<line x1="{sx:.2f}" y1="{sy:.2f}" x2="{x:g}" y2="{y:g}" stroke="#000" '
        f'stroke-width="0.3"/>'
        f'<circle cx="{x:g}" cy="{y:g}" r="0.55" fill="#000"/>'
        f'<text x="{tx:g}" y="{ty + CODE_SIZE * 0.36:.2f}" font-family="osifont" '
        f'font-size="{CODE_SIZE}" text-anchor="middle">{escape(callout.code)}</text>'
    )


def _key_plan_style(prefix: str, part: str, width: float) -> str:
    """The whole drawing in fine lines, the picked-out part solid black in a heavy outline:
    weights given on the page (geometry), turned into the drawing's units. Black and white
    only: the print file takes line art as it is, and a grey would print as a screen.
    Important, so that a drawing's own style attributes do not undo the plan; every selector
    names a prefixed id, so that a page (a browser applies an inline SVG's style to the whole
    page) can hold several key plans."""
    per_mm = width / geometry.KEY_PLAN_WIDTH
    light = geometry.KEY_PLAN_LINE * per_mm
    heavy = geometry.KEY_PLAN_PART_LINE * per_mm
    return (
        f"<style>#{prefix}{KEY_PLAN} * {{ stroke-width: {light:.3f} !important; }} "
        f"#{part}, #{part} * {{ stroke: #000 !important; stroke-width: {heavy:.3f} !important; "
        "stroke-dasharray: none !important; stroke-linejoin: round !important; } "
        f'#{part} [fill]:not([fill="none"]) {{ fill: #000 !important; }}</style>'
    )


def _lift(node: Node, part: str) -> tuple[Node, Node | None]:
    """The drawing without the part, and the part inside copies of the groups it stood in
    (their transforms and inherited attributes), to be drawn last, over the rest: a key plan
    shows its part even where the body hides it. A part inside anything but plain groups (a
    pattern, a nested viewport) stays where it is."""
    for i, child in enumerate(node.children):
        if child.get("id") == part:
            rest = Node(node.name, node.attributes, node.line,
                        node.children[:i] + node.children[i + 1:])
            return rest, _wrapped(node, child)
        if child.name != "g":
            continue
        inner, lifted = _lift(child, part)
        if lifted is not None:
            children = node.children[:i] + [inner] + node.children[i + 1:]
            return Node(node.name, node.attributes, node.line, children), _wrapped(node, lifted)
    return node, None


def _wrapped(group: Node, child: Node) -> Node:
    attributes = {k: v for k, v in group.attributes.items() if k not in {"id", "class"}}
    return Node("g", attributes, group.line, [child])


def compose(figure: Figure, folder: Path, legend: list[LegendEntry], prefix: str) -> Markup:
    """The inline SVG of a figure, with its callouts, and a text alternative in words."""
    root = read_drawing(folder / figure.drawing, folder)
    names = {entry.code: entry.label for entry in legend}
    words = ", ".join(f"({c.code}) {names.get(c.code, '')}" for c in figure.callouts)
    title = figure.alt or figure.label + (f" — {words}" if words else "")
    box = view_box(root, figure.drawing)
    # The root's own presentation attributes (fill="none", stroke...) apply to its content.
    group = {k: v for k, v in root.attributes.items() if k not in ROOT_PLACEMENT}
    aspect = root.get("preserveAspectRatio")
    aspect = f' preserveAspectRatio="{escape(aspect)}"' if aspect else ""
    markup = [f'<svg xmlns="{SVG}" viewBox="{" ".join(f"{v:g}" for v in box)}"{aspect} '
              f'class="drawing" role="img"><title>{escape(title)}</title>']
    drawing, part = Node("g", group, root.line, root.children), None
    if figure.highlight:
        markup.append(_key_plan_style(escape(prefix), escape(prefix + figure.highlight), box[2]))
        drawing, part = _lift(drawing, figure.highlight)
        drawing.attributes = {**drawing.attributes, "id": KEY_PLAN}
    _write(drawing, prefix, markup)
    if part is not None:
        _write(part, prefix, markup)
    markup.extend(_callout(c) for c in figure.callouts)
    markup.append("</svg>")
    return Markup("".join(markup))
