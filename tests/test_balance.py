"""Column balancing by search (transfo_print/balance.py): the engine's heights, fewer tries."""

from __future__ import annotations

from math import inf

import pytest

from transfo_print import balance, render
from transfo_print.fitting import _lines

LINE = "Le laboratoire teste une hypothèse avec les agents et les habitants du territoire. "


def climb(start: float, fits, max_height: float) -> tuple[float, int]:
    """The engine's own climb, one pixel at a time: the height it settles on, and tries."""
    height, tries = start, 1
    while not fits(height):
        height += 1
        tries += 1
        if height > max_height:
            return max_height, tries
    return height, tries


def search(start: float, fits, max_height: float) -> tuple[float, int]:
    finder, height, tries = balance.HeightSearch(start), start, 1
    while True:
        height, done, _ = finder.next(height, fits(height), inf, max_height)
        if done:
            return height, tries
        tries += 1


@pytest.mark.parametrize("least", [50.0, 51.0, 52.0, 52.5, 54.0, 60.0, 66.0, 93.4, 180.0, 399.0])
def test_search_lands_where_the_climb_does(least):
    """The same height; a try or two more when the climb is short (the search must look
    below a height that fits), far fewer when it is long."""
    start, max_height = 50.0, 400.0

    def fits(height):
        return height >= least

    (climbed, climb_tries), (found, search_tries) = (
        climb(start, fits, max_height), search(start, fits, max_height))
    assert found == climbed
    assert search_tries <= climb_tries + 2
    assert search_tries <= 2 * (climb_tries - 1).bit_length() + 2
    if climb_tries > 10:
        assert search_tries < climb_tries
    if climb_tries > 40:
        assert search_tries * 3 < climb_tries


def test_content_that_never_fits_takes_the_whole_height_as_in_the_engine():
    finder = balance.HeightSearch(50.0)
    height, done = 50.0, False
    while not done:
        height, done, stopped = finder.next(height, False, inf, 120.5)
    assert (height, stopped) == (120.5, True)


def test_the_engine_s_own_step_is_kept_where_it_knows_it():
    finder = balance.HeightSearch(100.0)
    assert finder.next(100.0, False, 16.0, 400.0) == (116.0, False, False)
    assert finder.next(116.0, True, 16.0, 400.0) == (116.0, True, False)


def _laid_out(html: str) -> tuple[list[list[tuple[float, float, str]]], int]:
    """Every line's place and text, page by page; and how many times the columns were
    laid out."""
    import weasyprint
    from weasyprint.layout import block

    engine_layout, tries = block.block_box_layout, []

    def counted(*args, **kwargs):
        tries.append(1)
        return engine_layout(*args, **kwargs)

    block.block_box_layout = counted  # the columns' layouts: looked up at each call
    try:
        document = weasyprint.HTML(string=html).render()
    finally:
        block.block_box_layout = engine_layout
    lines = [[(round(line.position_x, 3), round(line.position_y, 3),
               "".join(box.text for box in line.descendants() if hasattr(box, "text")))
              for line in _lines(page._page_box)] for page in document.pages]
    return lines, len(tries)


STYLE = """<style>@page { size: 120mm 90mm; margin: 8mm }
body { font: 10pt/1.3 serif } .cols { columns: 2; column-gap: 5mm }
p { margin: 0 0 2mm; orphans: 2; widows: 2 } .whole { break-inside: avoid }
h3 { break-after: avoid; margin: 0 } .three { columns: 3 }
ul { margin: 0; padding-left: 4mm; list-style-type: "– " }
.note { float: footnote }
.aside { float: right; width: 20mm; height: 12mm; margin: 0 0 1mm 2mm }</style>"""

CASES = {
    # a block that may not break after a paragraph: the engine climbed pixel by pixel
    "unbreakable block": (
        f'<div class="cols"><p>{LINE}</p><div class="whole"><p>Mireille Diestchy</p>'
        f'<p>{LINE * 4}</p></div></div><p>{LINE}</p>'),
    # three lines held by orphans and widows: cannot be split over two columns
    "three lines": f'<div class="cols"><p>{LINE * 2}</p></div><p>{LINE}</p>',
    "paragraphs": f'<div class="cols">{"".join(f"<p>{LINE * n}</p>" for n in (3, 1, 4, 2))}</div>',
    "heading kept with its text": (
        f'<div class="cols"><p>{LINE * 3}</p><h3>Observations</h3><p>{LINE * 2}</p>'
        f'<p class="whole">{LINE * 3}</p></div><p>{LINE}</p>'),
    "over a page break": f'<div class="cols">{f"<p>{LINE * 4}</p>" * 9}</div><p>{LINE}</p>',
    # list markers: boxes the engine places after the columns (absolutely positioned)
    "a list": (f'<div class="cols"><ul>{f"<li>{LINE * 2}</li>" * 5}</ul></div>'
               f'<p>{LINE}</p>'),
    "a list over a page break": f'<div class="cols"><ul>{f"<li>{LINE * 3}</li>" * 12}</ul></div>',
    # a float: it moves only the lines of its own column, each a formatting context
    "a float": (f'<p>{LINE}</p><div class="cols"><p>{LINE}</p><div class="aside"></div>'
                f'<p>{LINE * 5}</p></div><p>{LINE}</p>'),
    # a footnote: the engine's note area, which each try fills and empties again
    "a footnote": (f'<p>{LINE}</p><div class="cols"><p>{LINE * 2}<span class="note">{LINE}'
                   f'</span></p><p>{LINE * 3}</p></div><p>{LINE}</p>'),
    "three columns": (f'<div class="cols three">'
                      f'{"".join(f"<p>{LINE * n}</p>" for n in (2, 5, 1, 3))}</div>'),
}


@pytest.mark.parametrize("case", CASES)
def test_columns_are_laid_out_as_the_engine_lays_them_out(case):
    html = STYLE + CASES[case]
    render.load_engine()
    balance.uninstall()
    try:
        by_engine, engine_tries = _laid_out(html)
    finally:
        assert balance.install()
    by_search, search_tries = _laid_out(html)
    assert by_search == by_engine
    assert any(by_engine)
    if case == "unbreakable block":  # hundreds of one-pixel climbs
        assert search_tries * 3 < engine_tries, (search_tries, engine_tries)


def _columns(*lengths: int, kind: str = "cols") -> str:
    return f'<div class="{kind}">{"".join(f"<p>{LINE * n}</p>" for n in lengths)}</div>'


# (a document, whether the last layout of its columns can take a try). Each holds however
# lines break: short runs stay on their page, long ones run over it.
TAKEN = {
    # balanced on the page it starts, below a paragraph: tried as the last layout is made
    "balanced below a paragraph": (f"<p>{LINE}</p>{_columns(2, 1, 1)}<p>{LINE}</p>", True),
    "three columns below a paragraph": (
        f"<p>{LINE}</p>{_columns(2, 1, 1, kind='cols three')}<p>{LINE}</p>", True),
    # list markers: positioned boxes, placed once the columns are
    "a list below a paragraph": (
        f'<p>{LINE}</p><div class="cols"><ul>{f"<li>{LINE * 2}</li>" * 2}</ul></div>', True),
    # a float moves only the lines of its own column, each a formatting context
    "a float below a paragraph": (
        f'<p>{LINE}</p><div class="cols"><p>{LINE}</p><div class="aside"></div>'
        f"<p>{LINE * 2}</p></div><p>{LINE}</p>", True),
    # opening the page and running over it: its first try, at the page's whole height, is
    # made as on an empty page, as the last layout is
    "over a page break": (CASES["over a page break"], True),
    "a list over a page break": (CASES["a list over a page break"], True),
    # balanced at the top of the page: tried as on a page begun, laid out as on an empty
    # page (what a page's first lines may do differs)
    "balanced at the top of the page": (f"{_columns(2, 1, 1)}<p>{LINE}</p>", False),
    # each try lays the footnote out and takes it out of the page's note area again
    "a footnote": (CASES["a footnote"], False),
}


@pytest.mark.parametrize("case", TAKEN)
def test_the_last_layout_of_the_columns_takes_the_try_at_its_height(case, monkeypatch):
    """The columns of the try at the height chosen stand for the last layout of a run of
    columns, where the two are made alike: the same lines, in fewer layouts."""
    html, taken = TAKEN[case]
    render.load_engine()
    assert balance.install()
    with_tries, layouts = _laid_out(STYLE + html)
    monkeypatch.setattr(balance.Tries, "kept", lambda *args: None)
    laid_out_again, more_layouts = _laid_out(STYLE + html)
    assert with_tries == laid_out_again
    assert (layouts < more_layouts) == taken, (layouts, more_layouts)


def test_the_edit_applies_to_the_engine_the_project_pins():
    from weasyprint.layout import block, column

    render.load_engine()
    assert balance.install()
    assert getattr(block.columns_layout, "balanced_by_search", False)
    assert column.columns_layout is block.columns_layout


def test_an_engine_it_cannot_edit_is_left_as_it_is(monkeypatch):
    """Other lines (another version) or no sources at all: the engine's own balancing."""
    import inspect

    from weasyprint.layout import block, column

    render.load_engine()
    balance.uninstall()
    engine = block.columns_layout
    try:
        monkeypatch.setattr(balance, "_EDITS", (("a line no engine has\n", ""),))
        assert not balance.install()
        assert block.columns_layout is engine and column.columns_layout is engine
        monkeypatch.undo()

        def no_source(module):
            raise OSError("could not get source code")

        monkeypatch.setattr(inspect, "getsource", no_source)
        assert not balance.install()
        assert block.columns_layout is engine
    finally:
        monkeypatch.undo()
        assert balance.install()
