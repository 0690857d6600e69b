"""Each line break found once per document, however often the engine lays a text out again.

WeasyPrint lays the same text out many times in one document: a run of columns at every
height its balancing tries, a block again when a page break moves it, a flex row once per
measure and once per line. Each time, it asks Pango where the first line of the text's
remaining words ends (`split_first_line`), and that question makes up about a third of a
sheet's layout. The answer depends only on the text, its computed style, the width and the
document's layout context, so `remembered` keeps it for the rest of the document: three
questions in four are then answered without Pango.

What the engine keeps of an answer (a Pango layout released until the text is drawn, its
length and metrics) is not changed afterwards, so two text boxes may share one. The PDFs
are the same byte for byte (tests/test_linebreak.py).

Only the layout's questions are remembered: SVG text, measured while a page is drawn with
styles made for the occasion, asks the engine directly.

For every line box and inline box, the engine also asks `strut(style)` for the line height
and baseline the style gives. It keeps the answer in the font configuration, under a key
made by turning fourteen font properties, the size and the line height into one string, and
making that key costs more than finding the answer: seven layouts of the shipped sheets ask
13,247 times, for 0.09 s of 1.8 s. The answer depends only on the style and the document's
fonts, so `struts` keeps it by style for the rest of the document.
"""

from __future__ import annotations

import functools

from . import engine


class Answers:
    """One layout context's answers, by question. A question names its style and context
    by identity; each answer holds on to both, so neither identity can be reused while it
    is remembered."""

    def __init__(self):
        self.context = None
        self.by_question: dict[tuple, tuple] = {}
        self.asked = self.answered = 0

    def ask(self, engine_split, text, style, context, max_width, justification_spacing,
            is_line_start=True, minimum=False):
        if context is not self.context:  # a new document: the last one's answers go
            self.context, self.by_question = context, {}
        question = (text, id(style), max_width, justification_spacing, is_line_start, minimum)
        self.asked += 1
        found = self.by_question.get(question)
        if found is not None and found[0] is style:
            self.answered += 1
            return found[1]
        answer = engine_split(text, style, context, max_width, justification_spacing,
                              is_line_start, minimum)
        self.by_question[question] = (style, answer)
        return answer


answers = Answers()


class Struts:
    """One document's struts, by style. A style is named by identity; each entry holds on
    to its style, so that identity cannot be reused while it is kept."""

    def __init__(self):
        self.by_style: dict[int, tuple] = {}
        self.asked = self.answered = 0

    def forget(self) -> None:
        """A new document: the last one's styles are let go."""
        self.by_style = {}

    def strut(self, engine_strut, style):
        self.asked += 1
        found = self.by_style.get(id(style))
        if found is not None and found[0] is style:
            self.answered += 1
            return found[1]
        answer = engine_strut(style)
        self.by_style[id(style)] = (style, answer)
        return answer


struts = Struts()

# The engine's functions remembered: the modules that look each up in their own namespace
# at each call, and what asks first.
_REMEMBERED = (
    ("split_first_line", ("weasyprint.layout.inline", "weasyprint.layout.preferred"),
     answers.ask),
    ("strut", ("weasyprint.layout.inline", "weasyprint.css.units",
               "weasyprint.css.computed_values"), struts.strut),
)


def install() -> bool:
    """Have the engine ask `answers` and `struts` first (once per process); whether it
    could be done."""
    import importlib

    from weasyprint.text import line_break

    if not engine.known(*(getattr(line_break, function) for function, _, _ in _REMEMBERED)):
        return False
    for function, modules, ask in _REMEMBERED:
        remembered = functools.partial(ask, getattr(line_break, function))
        for name in modules:
            module = importlib.import_module(name)
            if not isinstance(getattr(module, function), functools.partial):
                setattr(module, function, remembered)
    return True


def uninstall() -> None:
    """The engine asks Pango every time again (to compare with it)."""
    import importlib

    from weasyprint.text import line_break

    for function, modules, _ in _REMEMBERED:
        for name in modules:
            setattr(importlib.import_module(name), function, getattr(line_break, function))
    answers.context, answers.by_question = None, {}
    struts.forget()
