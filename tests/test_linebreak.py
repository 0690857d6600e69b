"""Line breaks and struts remembered for the rest of a document (transfo_print/linebreak.py)."""

from __future__ import annotations

from pathlib import Path

from transfo_print import linebreak
from transfo_print.build import Builder
from transfo_print.load import load

SHEETS = Path(__file__).resolve().parent.parent / "sheets"


def test_a_sheet_is_the_same_pdf_byte_for_byte_with_its_line_breaks_and_struts_remembered():
    builder = Builder(load(SHEETS))
    # sheet 02: its columns are balanced over several heights, a testimonial kept whole
    html = builder.ts.sheet_html(builder.book.sheets[1], frozenset(), 0)
    linebreak.uninstall()
    try:
        by_engine = builder.renderer.write(builder.renderer.render(html), [])
    finally:
        linebreak.install()
    asked, answered = linebreak.answers.asked, linebreak.answers.answered
    remembered = builder.renderer.write(builder.renderer.render(html), [])
    assert remembered == by_engine
    asked, answered = linebreak.answers.asked - asked, linebreak.answers.answered - answered
    assert answered > asked / 2, (answered, asked)  # most questions come back


def test_an_answer_is_given_again_only_for_the_same_style_and_document():
    found = []

    def engine(text, style, context, *rest):
        found.append(text)
        return (text, len(found))

    answers = linebreak.Answers()
    style, other_style, context = {"a": 1}, {"a": 1}, object()
    first = answers.ask(engine, "un texte", style, context, 100.0, 0)
    assert answers.ask(engine, "un texte", style, context, 100.0, 0) is first
    assert len(found) == 1
    answers.ask(engine, "un texte", other_style, context, 100.0, 0)  # equal, not the same
    answers.ask(engine, "un texte", style, context, 90.0, 0)  # another width
    answers.ask(engine, "un texte", style, context, 100.0, 0, False)  # not at a line start
    assert len(found) == 4
    answers.ask(engine, "un texte", style, object(), 100.0, 0)  # another document
    assert len(found) == 5
    assert answers.ask(engine, "un texte", style, context, 100.0, 0) is not first


def test_a_sheet_asks_for_each_style_s_strut_once():
    builder = Builder(load(SHEETS))
    html = builder.ts.sheet_html(builder.book.sheets[1], frozenset(), 0)
    asked, answered = linebreak.struts.asked, linebreak.struts.answered
    builder.renderer.render(html)
    asked, answered = linebreak.struts.asked - asked, linebreak.struts.answered - answered
    assert asked > 1_000 and answered > asked * 0.9, (answered, asked)


def test_a_strut_is_given_again_only_for_the_same_style_in_the_same_document():
    found = []

    def engine(style):
        found.append(style)
        return (len(found), 0)

    struts = linebreak.Struts()
    style, equal_style = {"font_size": 12}, {"font_size": 12}
    first = struts.strut(engine, style)
    assert struts.strut(engine, style) is first
    struts.strut(engine, equal_style)  # equal, not the same
    assert len(found) == 2
    struts.forget()  # another document
    assert struts.strut(engine, style) is not first
    assert len(found) == 3
