"""Whether a box is in the normal flow, read from its style in one look
(transfo_print/flow.py)."""

from __future__ import annotations

import pytest
from improvements import SHEETS, sheet_pdfs_with_and_without

from transfo_print import engine, flow
from transfo_print.build import Builder
from transfo_print.load import load


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def test_every_sheet_is_the_same_pdf_byte_for_byte_with_the_flow_read_in_one_look():
    by_engine, one_look = sheet_pdfs_with_and_without(flow)
    assert one_look == by_engine


# Every value of `float` and `position` the engine's parser accepts, and a running element
# and notes' position functions.
FLOATS = ["none", "left", "right", "inline-start", "inline-end", "footnote"]
POSITIONS = ["static", "relative", "absolute", "fixed", "sticky", ("running()", "header"),
             ("note()", "sidenote")]


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("float_", FLOATS)
def test_the_answer_is_the_engines_for_every_float_and_position(float_, position):
    from weasyprint.formatting_structure import boxes

    box = boxes.BlockBox.__new__(boxes.BlockBox)
    box.style = {"float": float_, "position": position}
    assert flow.is_in_normal_flow(box) == boxes.Box.engine_is_in_normal_flow(box)


def test_the_shipped_sheets_have_boxes_in_and_out_of_the_flow():
    """The byte comparison above means something: the sheets' pages hold boxes of both
    kinds (the frame, band and title block are fixed)."""
    builder = Builder(load(SHEETS))
    document = builder.renderer.render(builder.ts.sheet_html(builder.book.sheets[0],
                                                            frozenset(), 0))
    answers = {flow.is_in_normal_flow(box) for page in document.pages
               for box in _boxes(page._page_box)}
    assert answers == {True, False}


def test_another_engine_version_is_left_as_it_is(monkeypatch):
    from weasyprint.formatting_structure.boxes import Box

    flow.uninstall()
    try:
        monkeypatch.setitem(engine.WRITTEN_FOR, engine.name(Box.is_note), "0" * 16)
        assert not flow.install()
        assert Box.is_in_normal_flow is not flow.is_in_normal_flow
    finally:
        monkeypatch.undo()
        assert flow.install()
    assert Box.is_in_normal_flow is flow.is_in_normal_flow
