"""Figures: each sheet's key plan (Fig.cs) shows its picked-out part at a glance, measured
on the PDF's own paths; every lead line ends on the part its code names, measured on the
drawing's geometry; and `check` says where a callout misses its part."""

from __future__ import annotations

import math
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pikepdf
import pytest
from conftest import SHEETS
from ua_check import Audit

from transfo_print import geometry, outlines
from transfo_print.diagnostics import ContentError
from transfo_print.figures import SVG, compose, lead_line, read_drawing, view_box
from transfo_print.load import load
from transfo_print.model import Figure

MM = 72 / 25.4
# The picked-out part's line against the heaviest line of the rest of the drawing, the least
# box it covers on an A4 page and the least box of its largest piece (a lamp, a gearbox): a
# part a reader finds at a glance at reading size.
WEIGHT_RATIO = 3
PART_AREA = 60  # mm²
PIECE_AREA = 20  # mm²
# The least weight of an outline, in drawing units (a medium line): thinner lines are centre
# lines, hatching and detail, which a lead line may cross.
OUTLINE = 0.4
SHAPES = {"path", "line", "polyline", "polygon", "rect", "circle", "ellipse"}


@dataclass
class Painted:
    """One painted path of a page: its box in points (PDF space), its line weight in points
    (0 if not stroked) and whether it is filled in black."""

    box: tuple[float, float, float, float]
    weight: float
    black_fill: bool


def _apply(m, x, y):
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _concat(m, n):
    """m then n (PDF order: the new matrix m is applied before the current n)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def painted_paths(page) -> list[Painted]:
    """Every path the page's content paints, with the transforms and weights in force."""
    state = {"ctm": (1, 0, 0, 1, 0, 0), "w": 1.0, "fill": (0.0,)}
    stack, points, found, start = [], [], [], None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        v = [float(x) for x in operands if isinstance(x, (int, float, Decimal))]
        if op == "q":
            stack.append(dict(state))
        elif op == "Q":
            state = stack.pop()
        elif op == "cm":
            state["ctm"] = _concat(tuple(v), state["ctm"])
        elif op == "w":
            state["w"] = v[0]
        elif op in ("rg", "g", "k"):
            state["fill"] = tuple(v)
        elif op == "m":  # a move draws nothing until a segment follows it
            start = _apply(state["ctm"], v[0], v[1])
        elif op in ("l", "c", "v", "y"):
            if start:
                points.append(start)
                start = None
            points += [_apply(state["ctm"], v[i], v[i + 1]) for i in range(0, len(v), 2)]
        elif op == "re":
            x, y, w, h = v
            points += [_apply(state["ctm"], px, py)
                       for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
        elif op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
            if points and op != "n":
                a, b, c, d, _, _ = state["ctm"]
                scale = math.sqrt(abs(a * d - b * c))
                stroked = op in ("S", "s", "B", "B*", "b", "b*")
                filled = op not in ("S", "s")
                black = {"rg": (0.0, 0.0, 0.0), "g": (0.0,), "k": (0.0, 0.0, 0.0, 1.0)}
                found.append(Painted(
                    (min(p[0] for p in points), min(p[1] for p in points),
                     max(p[0] for p in points), max(p[1] for p in points)),
                    state["w"] * scale if stroked else 0.0,
                    filled and state["fill"] in black.values()))
            points, start = [], None
    return found


def _inside(box, frame, slack: float = 1.0) -> bool:
    return (box[0] >= frame[0] - slack and box[1] >= frame[1] - slack
            and box[2] <= frame[2] + slack and box[3] <= frame[3] + slack)


def key_plans(built):
    """For each sheet, its key plan figure, the figure's box on page 1 and the paths in it."""
    for entry, pdf in zip(built.book.sheets, built.sheets, strict=True):
        figure = next(f for f in entry.sheet.figures if f.highlight)
        checked = Audit(pdf)
        tagged = next(e for e in checked.elements("Figure") if str(e.obj["/Alt"]) == figure.alt)
        frame = tuple(float(x) for x in tagged.obj["/A"]["/BBox"])
        page = checked.pdf.pages[tagged.page]
        paths = [p for p in painted_paths(page) if _inside(p.box, frame)]
        yield entry, figure, frame, paths


def _union(boxes):
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def test_the_picked_out_part_is_seen_at_a_glance(built):
    """Drawn heavy and black over a drawing in fine lines, where the SVG puts the part, and
    big enough to be found at reading size."""
    for entry, figure, frame, paths in key_plans(built):
        weights = [p.weight for p in paths if p.weight]
        assert len(weights) > 50, entry.slug  # the whole drawing was found
        heavy = max(weights)
        part = [p for p in paths if p.weight > heavy * 0.99]
        rest = [p.weight for p in paths if 0 < p.weight <= heavy * 0.99]
        assert heavy >= WEIGHT_RATIO * max(rest), (entry.slug, heavy / max(rest))
        assert heavy / MM >= geometry.THIN_LINE, entry.slug  # heavy at reading size
        assert any(p.black_fill for p in part), entry.slug  # solid, not an outline only
        x0, y0, x1, y1 = _union(p.box for p in part)
        area = (x1 - x0) * (y1 - y0) / MM ** 2
        piece = max((p.box[2] - p.box[0]) * (p.box[3] - p.box[1]) for p in part) / MM ** 2
        assert area >= PART_AREA and piece >= PIECE_AREA, (entry.slug, area, piece)

        # Where the drawing's geometry puts the part: the drawing fills the figure's box.
        root = read_drawing(SHEETS / figure.drawing, SHEETS)
        vx, vy, vw, vh = view_box(root, figure.drawing)
        sx0, sy0, sx1, sy1 = outlines.box(root, figure.highlight)
        fx0, fy0, fx1, fy1 = frame
        scale = (fx1 - fx0) / vw
        expected = (fx0 + (sx0 - vx) * scale, fy1 - (sy1 - vy) * scale,
                    fx0 + (sx1 - vx) * scale, fy1 - (sy0 - vy) * scale)
        assert all(abs(a - b) < 2 * MM for a, b in zip((x0, y0, x1, y1), expected,
                                                         strict=True)), entry.slug


def shipped_drawings():
    """(sheet, figure, parsed drawing) for every shipped figure that has a drawing."""
    for entry in load(SHEETS).sheets:
        for figure in entry.sheet.figures:
            if figure.drawing:
                yield entry, figure, read_drawing(SHEETS / figure.drawing, SHEETS)


def test_no_key_plan_picks_out_the_ground():
    """A part is a part of the vehicle, not the line it stands on."""
    for entry, figure, root in shipped_drawings():
        if not figure.highlight:
            continue
        x0, y0, x1, y1 = outlines.box(root, figure.highlight)
        _, _, width, height = view_box(root, figure.drawing)
        assert x1 - x0 < 0.9 * width and y1 - y0 > 0.05 * height, entry.slug


def test_every_lead_line_ends_on_the_part_it_names():
    for entry, figure, root in shipped_drawings():
        for callout in figure.callouts:
            assert callout.target, (entry.slug, callout.code)
            x0, y0, x1, y1 = outlines.box(root, callout.target)
            x, y = callout.at
            assert x0 <= x <= x1 and y0 <= y <= y1, (entry.slug, callout.code)


def _drawn_outlines(node, matrix=outlines.IDENTITY, weight=1.0, chain=()):
    """Each outline the drawing draws, as a polyline in its units, with the elements it lies
    in (itself last). Clipped elements are hatching, not outlines."""
    if node.name in outlines.NOT_DRAWN or node.get("clip-path") or node.get("stroke") == "none":
        return
    matrix = outlines.multiply(matrix, outlines.parse_transform(node.get("transform")))
    weight = float(node.get("stroke-width", weight))
    chain = (*chain, node)
    if node.name in SHAPES and weight >= OUTLINE:
        a, b, c, d, e, f = matrix
        for line in outlines.polylines(node):
            yield chain, [(a * x + c * y + e, b * x + d * y + f) for x, y in line]
    for child in node.children:
        yield from _drawn_outlines(child, matrix, weight, chain)


def _crosses(a, b, c, d) -> bool:
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def test_lead_lines_cross_only_what_encloses_their_part():
    """A lead line crosses no outline on its way but those it cannot avoid: the outlines of
    the part it names, and of what holds it (a casing, a tank's shell and its cut-away)."""
    for entry, figure, root in shipped_drawings():
        if not figure.callouts:
            continue
        for i, node in enumerate(root.iter()):  # every element measurable by its id
            node.attributes.setdefault("id", f"unnamed-{i}")
        drawn = list(_drawn_outlines(root))
        for callout in figure.callouts:
            start, end = lead_line(callout)
            for chain, line in drawn:
                segments = zip(line, line[1:], strict=False)
                if not any(_crosses(start, end, p, q) for p, q in segments):
                    continue
                holders = [outlines.box(root, n.get("id")) for n in chain[1:]]
                assert any(h and h[0] <= end[0] <= h[2] and h[1] <= end[1] <= h[3]
                           for h in holders), (
                    f"{entry.slug}: the lead line of ({callout.code}) crosses the outline "
                    f"at line {chain[-1].line} of {figure.drawing}")


@pytest.fixture
def source(tmp_path):
    shutil.copytree(SHEETS, tmp_path / "sheets")
    return tmp_path / "sheets"


def _edit(source, name, old, new):
    path = next(source.glob(f"{name}-*.yaml"))
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    return path, text[:text.index(old)].count("\n") + 1


def _problems(source) -> list[str]:
    with pytest.raises(ContentError) as error:
        load(source)
    return [str(p) for p in error.value.problems]


def test_check_says_where_a_lead_line_misses_its_part(source):
    # sheet 04's (ic) pointed at the large gear, not at the casing it names
    path, line = _edit(source, "04", "at: [87.5, 38.0], text_at: [96.0, 14.0], target: casing",
                       "at: [72.1, 27.9], text_at: [96.0, 14.0], target: small-pinion")
    found = _problems(source)
    assert any(p.startswith(f"{path}:{line}:") and "figures[0].callouts[1].at" in p
               and "off the part it names, `small-pinion`" in p for p in found), found


def test_check_refuses_a_target_the_drawing_lacks(source):
    path, line = _edit(source, "06", "target: tail-lamp", "target: tail-light")
    found = _problems(source)
    assert any(p.startswith(f"{path}:{line}:") and "figures[0].callouts[1].target" in p
               and "`tail-light` is not the id of a drawn element of 06-lights.svg" in p
               for p in found), found


def test_the_box_of_a_part_follows_its_shapes_transforms_and_clips(tmp_path):
    drawing = tmp_path / "part.svg"
    drawing.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" stroke-width="0">'
        '<defs><clipPath id="half"><rect x="0" y="0" width="50" height="100"/></clipPath></defs>'
        '<g transform="translate(10 20)"><circle id="disc" cx="5" cy="5" r="5"/>'
        '<path id="arch" d="M0 40 A10 10 0 0 1 20 40"/>'
        '<g transform="rotate(90)"><rect id="turned" x="0" y="0" width="4" height="2"/></g></g>'
        '<g clip-path="url(#half)"><rect id="bar" x="30" y="60" width="40" height="2"/></g>'
        '<path id="curve" d="M0 90 c5 -10 15 -10 20 0 s15 10 20 0" stroke-width="2"/>'
        '</svg>', "utf-8")
    root = read_drawing(drawing, drawing.parent)

    def rounded(ident):
        return tuple(round(v, 2) for v in outlines.box(root, ident))

    assert rounded("disc") == (10, 20, 20, 30)
    assert rounded("arch") == (10, 50, 30, 60)  # the arc bulges up to its radius
    assert rounded("turned") == (8, 20, 10, 24)
    assert rounded("bar") == (30, 60, 50, 62)  # the clip path cuts it at x = 50
    x0, y0, x1, y1 = rounded("curve")
    assert (x0, x1) == (-1, 41) and 81 < y0 < 84 and 96 < y1 < 99  # half the weight around
    assert outlines.box(root, "nothing") is None


def test_a_key_plan_draws_its_part_last_where_it_stood(tmp_path):
    """The part leaves its place in the drawing and is drawn over the rest, inside copies of
    the groups it stood in (their transform and attributes); the weights are the page's,
    in the drawing's units (a drawing KEY_PLAN_WIDTH wide: one unit a millimetre)."""
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "part.svg").write_text(
        f'<svg xmlns="{SVG}" viewBox="0 0 {geometry.KEY_PLAN_WIDTH} 40" stroke="#000">'
        '<g id="frame" transform="translate(5 5)" stroke-width="2">'
        '<rect x="0" y="0" width="60" height="20" fill="#fff"/>'
        '<g id="part"><circle cx="10" cy="10" r="4" fill="#fff"/></g>'
        '<rect id="cover" x="0" y="5" width="30" height="10" fill="#fff"/></g></svg>', "utf-8")
    figure = Figure(label="Fig.k", drawing="figures/part.svg", highlight="part",
                    alt="A frame with one part picked out")
    svg = ET.fromstring(str(compose(figure, tmp_path, [], "p-")))
    rest, lifted = svg.findall(f"{{{SVG}}}g")
    assert rest.get("id") == "p-key-plan" and rest.find(".//*[@id='p-part']") is None
    assert rest.find(".//*[@id='p-cover']") is not None
    outer, = lifted
    assert (lifted.get("stroke"), outer.get("transform"), outer.get("stroke-width"),
            outer.get("id")) == ("#000", "translate(5 5)", "2", None)
    assert outer.find(f"{{{SVG}}}g").get("id") == "p-part"
    style = svg.find(f"{{{SVG}}}style").text
    light = re.search(r"#p-key-plan \* \{ stroke-width: ([\d.]+)", style)[1]
    heavy = re.search(r"#p-part \* \{[^}]*stroke-width: ([\d.]+)", style)[1]
    assert (float(light), float(heavy)) == (
        pytest.approx(geometry.KEY_PLAN_LINE, abs=1e-3),
        pytest.approx(geometry.KEY_PLAN_PART_LINE, abs=1e-3))
