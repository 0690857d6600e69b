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
"""

from __future__ import annotations

import functools

# the engine's modules that look `split_first_line` up in their own namespace at each call
_LAYOUT_MODULES = ("weasyprint.layout.inline", "weasyprint.layout.preferred")


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


def install() -> None:
    """Have the engine's layout ask `answers` first (once per process)."""
    import importlib

    from weasyprint.text import line_break

    remembered = functools.partial(answers.ask, line_break.split_first_line)
    for name in _LAYOUT_MODULES:
        module = importlib.import_module(name)
        if not isinstance(module.split_first_line, functools.partial):
            module.split_first_line = remembered


def uninstall() -> None:
    """The engine asks Pango every time again (to compare with it)."""
    import importlib

    from weasyprint.text import line_break

    for name in _LAYOUT_MODULES:
        importlib.import_module(name).split_first_line = line_break.split_first_line
    answers.context, answers.by_question = None, {}
