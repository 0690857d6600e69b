"""A sheet's drawings parsed by expat, the rest by the engine (transfo_print/parse.py): the
same tree as the engine's parse of the whole HTML."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pytest
import tinyhtml5

from transfo_print import parse
from transfo_print.build import Builder
from transfo_print.load import load

SHEETS = Path(__file__).resolve().parent.parent / "sheets"
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" class="drawing" role="img">'


def engine_tree(html: str):
    return tinyhtml5.parse(html, namespace_html_elements=False)


def spliced_tree(html: str):
    """The tree the engine lays out, and how many drawings were cut from it."""
    cut, drawings = parse.cut_drawings(html)
    root = engine_tree(cut)
    parse.put_back(root, drawings)
    return root, len(drawings)


def as_drawn(root):
    """The tree with each stand-in replaced by the drawing the engine's `<svg>` handler is
    given for it; each stand-in is an empty `<svg>` with its drawing's attributes."""
    stand_ins = [(parent, index, child) for parent in root.iter()
                 for index, child in enumerate(parent) if child in parse.drawing_of]
    for parent, index, stand_in in stand_ins:
        drawing = parse.drawing_of[stand_in]
        assert len(stand_in) == 0 and stand_in.text is None
        assert (stand_in.tag, stand_in.attrib) == (drawing.tag, drawing.attrib)
        copy = deepcopy(drawing)
        copy.tail = stand_in.tail
        parent[index] = copy
    return root


def flat(root) -> list[tuple]:
    return [(e.tag, dict(e.attrib), e.text, e.tail) for e in root.iter()]


@pytest.fixture(scope="module")
def sheet_html() -> str:
    builder = Builder(load(SHEETS))
    return builder.ts.sheet_html(builder.book.sheets[1], frozenset(), 0)


def test_a_sheet_parses_to_the_engines_tree(sheet_html):
    root, cut = spliced_tree(sheet_html)
    assert cut == 2  # the sheet's two figures
    whole = engine_tree(sheet_html)
    # what the engine applies the stylesheets to: none of the drawings' elements
    assert len(list(root.iter())) < len(list(whole.iter())) / 2
    assert flat(as_drawn(root)) == flat(whole)


CASES = {
    # a viewport inside the drawing: cut as one, up to its own end
    "nested": f'<p>a</p>{SVG_OPEN}<svg x="1"><path d="M0 0"></path></svg>'
              f'<text x="1">(a) &amp; b</text></svg><p>b</p>',
    "two, and text after": f'{SVG_OPEN}<title>T</title></svg> et {SVG_OPEN}<g></g></svg> fin',
    # a prefix expat does not know: left to the engine
    "unreadable": f'{SVG_OPEN}<use xlink:href="#a"></use></svg><p>c</p>{SVG_OPEN}</svg>',
}


@pytest.mark.parametrize("case", CASES)
def test_drawings_are_put_back_where_they_were(case):
    html = f"<body>{CASES[case]}</body>"
    root, cut = spliced_tree(html)
    assert flat(as_drawn(root)) == flat(engine_tree(html))
    assert cut == {"nested": 1, "two, and text after": 2, "unreadable": 1}[case]
