"""Where the parts of a drawing lie: the box around an element of a checked drawing, in the
drawing's own units, from its shapes (path data, arcs and curves included) and every
transform above it. `check` uses it to tell whether a lead line ends on the part it names.

Curves and arcs are measured on points sampled along them, close enough for a box that a
lead line's end is tested against; the box takes in half the line weight of each shape.
"""

from __future__ import annotations

import math
import re

from .figures import Node

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as SVG writes it

IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)
NOT_DRAWN = {"defs", "clipPath", "pattern", "title", "desc"}  # drawn only through a reference
SAMPLES = 16  # points along a curve or an arc
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
PATH_TOKEN = re.compile(rf"[MmLlHhVvCcSsQqTtAaZz]|{NUMBER.pattern}")
TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")


def multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s,
            a * t + c * u + e, b * t + d * u + f)


def parse_transform(text: str | None) -> Matrix:
    matrix = IDENTITY
    for name, arguments in TRANSFORM.findall(text or ""):
        v = [float(x) for x in NUMBER.findall(arguments)] or [0.0]
        if name == "matrix" and len(v) == 6:
            step = tuple(v)
        elif name == "translate":
            step = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale":
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate":
            angle = math.radians(v[0])
            cos, sin = math.cos(angle), math.sin(angle)
            cx, cy = (v[1], v[2]) if len(v) == 3 else (0, 0)
            step = (cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy)
        elif name == "skewX":
            step = (1, 0, math.tan(math.radians(v[0])), 1, 0, 0)
        elif name == "skewY":
            step = (1, math.tan(math.radians(v[0])), 0, 1, 0, 0)
        else:
            continue
        matrix = multiply(matrix, step)
    return matrix


def _arc(start, rx, ry, rotation, large, sweep, end) -> list[tuple[float, float]]:
    """Points along an SVG arc (endpoint form), by way of its centre form (SVG 1.1, F.6.5)."""
    (x1, y1), (x2, y2) = start, end
    rx, ry = abs(rx), abs(ry)
    if rx == 0 or ry == 0 or start == end:
        return [end]
    phi = math.radians(rotation)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    x, y = cos * dx + sin * dy, -sin * dx + cos * dy
    scale = x * x / (rx * rx) + y * y / (ry * ry)
    if scale > 1:  # radii too small for the two ends: grown, as the spec says
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx * rx * ry * ry - rx * rx * y * y - ry * ry * x * x
    root = math.sqrt(max(0.0, numerator / (rx * rx * y * y + ry * ry * x * x)))
    if large == sweep:
        root = -root
    cx_, cy_ = root * rx * y / ry, -root * ry * x / rx
    cx = cos * cx_ - sin * cy_ + (x1 + x2) / 2
    cy = sin * cx_ + cos * cy_ + (y1 + y2) / 2
    theta = math.atan2((y - cy_) / ry, (x - cx_) / rx)
    delta = math.atan2((-y - cy_) / ry, (-x - cx_) / rx) - theta
    if sweep and delta < 0:
        delta += math.tau
    elif not sweep and delta > 0:
        delta -= math.tau
    points = []
    for i in range(1, SAMPLES + 1):
        t = theta + delta * i / SAMPLES
        px, py = rx * math.cos(t), ry * math.sin(t)
        points.append((cos * px - sin * py + cx, sin * px + cos * py + cy))
    return points


def _bezier(points, steps: int = SAMPLES) -> list[tuple[float, float]]:
    n = len(points) - 1
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        x = y = 0.0
        for k, (px, py) in enumerate(points):
            weight = math.comb(n, k) * (1 - t) ** (n - k) * t ** k
            x, y = x + weight * px, y + weight * py
        out.append((x, y))
    return out


def path_points(data: str) -> list[tuple[float, float]]:
    """Points on the outline a path's data draws (its ends, and samples along its curves)."""
    tokens = PATH_TOKEN.findall(data)
    points: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    control = None  # the last curve's second control point, for S and T
    command, i = "M", 0

    def take(n):
        nonlocal i
        values = [float(v) for v in tokens[i:i + n]]
        i += n
        return values

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                x, y = start_x, start_y
                points.append((x, y))
                control = None
                continue
        relative = command.islower()
        ox, oy = (x, y) if relative else (0.0, 0.0)
        kind = command.upper()
        arity = {"M": 2, "L": 2, "T": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "A": 7}[kind]
        if len(tokens) - i < arity or any(t.isalpha() for t in tokens[i:i + arity]):
            break  # a path cut short: drawn up to here, as a browser does
        v = take(arity)
        if kind == "A":
            end = (v[5] + ox, v[6] + oy)
            points += _arc((x, y), v[0], v[1], v[2], bool(v[3]), bool(v[4]), end)
            (x, y), control = end, None
            continue
        if kind == "H":
            x, control = v[0] + ox, None
        elif kind == "V":
            y, control = v[0] + oy, None
        else:
            pairs = [(v[k] + ox, v[k + 1] + oy) for k in range(0, arity, 2)]
            if kind in "ST":
                mirrored = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                pairs.insert(0, mirrored)
            if len(pairs) > 1:
                points += _bezier([(x, y), *pairs])
                control = pairs[-2]
            else:
                control = None
            x, y = pairs[-1]
        if kind == "M":
            start_x, start_y = x, y
            command = "l" if relative else "L"  # further pairs after a move are lines
        points.append((x, y))
    return points


def polylines(node: Node) -> list[list[tuple[float, float]]]:
    """The lines a shape draws, one list of points per subpath, in its own units."""
    if node.name != "path":
        points = _shape_points(node)
        closed = node.name in ("rect", "circle", "ellipse", "polygon")
        return [points + points[:1]] if closed and points else [points]
    data, lines, done = node.get("d", ""), [], 0
    # Each subpath measured with all that comes before it (a relative move starts from the
    # point where the last subpath ended).
    ends = [m.start() for m in re.finditer(r"[Mm]", data)][1:] + [len(data)]
    for end in ends:
        points = path_points(data[:end])
        lines.append(points[done:])
        done = len(points)
    return [line for line in lines if len(line) > 1]


def _number(node: Node, name: str, default: float = 0.0) -> float:
    match = NUMBER.match((node.get(name) or "").strip())
    return float(match.group()) if match else default


def _shape_points(node: Node) -> list[tuple[float, float]]:
    n = lambda name: _number(node, name)  # noqa: E731
    if node.name == "path":
        return path_points(node.get("d", ""))
    if node.name == "line":
        return [(n("x1"), n("y1")), (n("x2"), n("y2"))]
    if node.name in ("polyline", "polygon"):
        values = [float(v) for v in NUMBER.findall(node.get("points", ""))]
        return list(zip(values[::2], values[1::2], strict=False))
    if node.name == "rect":
        x, y, w, h = n("x"), n("y"), n("width"), n("height")
        return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    if node.name in ("circle", "ellipse"):
        rx = n("r") if node.name == "circle" else n("rx")
        ry = n("r") if node.name == "circle" else n("ry")
        return [(n("cx") + rx * math.cos(t * math.tau / SAMPLES),
                 n("cy") + ry * math.sin(t * math.tau / SAMPLES)) for t in range(SAMPLES)]
    return []


def _collect(node: Node, matrix: Matrix, weight: float, by_id: dict, depth: int,
             out: list[tuple[float, float, float]]) -> None:
    """Every point the element draws, in the drawing's units, with half its line weight."""
    matrix = multiply(matrix, parse_transform(node.get("transform")))
    if node.get("stroke-width"):
        weight = _number(node, "stroke-width", weight)
    clip = _clip_box(node, matrix, by_id, depth)
    drawn: list[tuple[float, float, float]] = [] if clip else out
    a, b, c, d, e, f = matrix
    for px, py in _shape_points(node):
        drawn.append((a * px + c * py + e, b * px + d * py + f, weight / 2))
    if node.name == "use" and depth < 8:
        target = by_id.get((node.get("href") or "#")[1:])
        if target is not None:
            shifted = multiply(matrix, (1, 0, 0, 1, _number(node, "x"), _number(node, "y")))
            _collect(target, shifted, weight, by_id, depth + 1, drawn)
    for child in node.children:
        if child.name not in NOT_DRAWN:
            _collect(child, matrix, weight, by_id, depth, drawn)
    if clip:  # what a clip path hides is not drawn: the box stops at the clip's
        x0, y0, x1, y1 = clip
        out.extend((min(max(x - w, x0), x1), min(max(y - w, y0), y1), 0) for x, y, w in drawn)
        out.extend((min(max(x + w, x0), x1), min(max(y + w, y0), y1), 0) for x, y, w in drawn)


def _clip_box(node: Node, matrix: Matrix, by_id: dict, depth: int) -> Box | None:
    reference = re.fullmatch(r"\s*url\(\s*#([^)\s]+)\s*\)\s*", node.get("clip-path") or "")
    clip = by_id.get(reference.group(1)) if reference else None
    if clip is None or depth >= 8:
        return None
    points: list[tuple[float, float, float]] = []
    for child in clip.children:
        _collect(child, matrix, 0.0, by_id, depth + 1, points)
    if not points:
        return None
    return (min(p[0] for p in points), min(p[1] for p in points),
            max(p[0] for p in points), max(p[1] for p in points))


def _find(node: Node, ident: str, matrix: Matrix, weight: float, clips: tuple):
    """The element with this id, the transform and line weight it is drawn with, and the
    elements above it that clip it (with the transform each is drawn with)."""
    matrix = multiply(matrix, parse_transform(node.get("transform")))
    if node.get("stroke-width"):
        weight = _number(node, "stroke-width", weight)
    if node.get("id") == ident:
        return node, matrix, weight, clips
    if node.get("clip-path"):
        clips = (*clips, (node, matrix))
    for child in node.children:
        found = _find(child, ident, matrix, weight, clips)
        if found:
            return found
    return None


def box(root: Node, ident: str) -> Box | None:
    """The box around what the element with this id draws, line weight included and clip
    paths above it applied; None if no element has the id or it draws nothing."""
    found = _find(root, ident, IDENTITY, 1.0, ())
    if found is None:
        return None
    node, matrix, weight, clips = found
    # The element's own transform is applied again by _collect: start from its parent's.
    parent = multiply(matrix, _inverse(parse_transform(node.get("transform"))))
    points: list[tuple[float, float, float]] = []
    by_id = {n.get("id"): n for n in root.iter() if n.get("id")}
    _collect(node, parent, weight, by_id, 0, points)
    if not points:
        return None
    x0, y0 = min(x - w for x, _, w in points), min(y - w for _, y, w in points)
    x1, y1 = max(x + w for x, _, w in points), max(y + w for _, y, w in points)
    for above, drawn_with in clips:
        clip = _clip_box(above, drawn_with, by_id, 0)
        if clip:
            x0, y0, x1, y1 = max(x0, clip[0]), max(y0, clip[1]), min(x1, clip[2]), min(y1, clip[3])
    if x0 > x1 or y0 > y1:
        return None  # clipped away
    return x0, y0, x1, y1


def _inverse(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if det == 0:
        return IDENTITY
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)
