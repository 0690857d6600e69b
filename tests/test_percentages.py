"""Each box's lengths worked out once per style and containing block
(transfo_print/percentages.py)."""

from __future__ import annotations

from improvements import sheet_pdfs_with_and_without

from transfo_print import engine, percentages


def test_every_sheet_is_the_same_pdf_byte_for_byte_with_its_lengths_kept():
    # the engine alone does not ask `resolved`: what it counts is the kept lengths' layouts
    asked, answered = percentages.resolved.asked, percentages.resolved.answered
    by_engine, kept = sheet_pdfs_with_and_without(percentages)
    assert kept == by_engine
    asked, answered = percentages.resolved.asked - asked, percentages.resolved.answered - answered
    assert answered > asked / 2, (answered, asked)  # most boxes meet their block again


def test_lengths_are_given_again_only_for_the_same_style_block_and_kind_of_box():
    from weasyprint.formatting_structure import boxes

    calls = []

    def engine(box, containing_block):
        calls.append(containing_block)
        for name in percentages.LENGTHS:
            setattr(box, name, len(calls))

    def box(style, kind=boxes.BlockBox):
        made = kind.__new__(kind)
        made.style = style
        return made

    resolved = percentages.Resolved()
    style, equal_style = {"border_collapse": "separate"}, {"border_collapse": "separate"}
    first = box(style)
    resolved.resolve(engine, first, (100.0, "auto"))
    again = box(style)
    resolved.resolve(engine, again, (100.0, "auto"))
    assert len(calls) == 1 and again.width == first.width == 1
    resolved.resolve(engine, box(equal_style), (100.0, "auto"))  # equal, not the same
    resolved.resolve(engine, box(style), (90.0, "auto"))  # another block
    resolved.resolve(engine, box(style, boxes.PageBox), (100.0, "auto"))  # a page
    assert len(calls) == 4
    collapsed = {"border_collapse": "collapse"}
    resolved.resolve(engine, box(collapsed), (100.0, "auto"))
    resolved.resolve(engine, box(collapsed), (100.0, "auto"))
    assert len(calls) == 6  # its borders come from the box: resolved every time
    resolved.forget()  # a new document
    resolved.resolve(engine, box(style), (100.0, "auto"))
    assert len(calls) == 7


def test_another_engine_version_is_left_as_it_is(monkeypatch):
    from weasyprint.layout import block, percent

    percentages.uninstall()
    try:
        monkeypatch.setitem(engine.WRITTEN_FOR, "weasyprint.layout.percent", "0" * 16)
        assert not percentages.install()
        assert block.resolve_percentages is percent.resolve_percentages
        assert not hasattr(percent.resolve_percentages, "engine_resolve")
    finally:
        monkeypatch.undo()
        assert percentages.install()
    assert hasattr(block.resolve_percentages, "engine_resolve")
