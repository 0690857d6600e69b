"""Words that fit on a line but for the space after them stay on it.

At a line's end a space hangs: it takes no room (CSS Text 3, 4.1.3), and Pango does not
count it when it wraps a text. But when WeasyPrint 70 asks where the first line of a text
ends, a text that fits whole but for a space at its end (a text followed by an element:
`les cas <span>pratiques</span>`) is measured by Pango 1.50 (Debian 12) with that space;
the engine then takes the text for one that cannot break before the edge and keeps only its
first word on the line, or breaks that word. Pango 1.56 (Debian 13) leaves the space out,
and the engine sets such a line right: there this changes nothing.

On Debian 12 a line held one word ("sociaux") where the words of a whole line fit, as on
A4 sheet 02 at its densest step. `install` has such a text measured without its trailing
spaces: it stays on the line whole, and the element after it goes on where it fits, as it
does when there is no space between them.
"""

from __future__ import annotations

from . import engine

COLLAPSING = ("normal", "nowrap", "pre-line")  # white-space values whose spaces collapse
# No character of a text that can fit on a line is narrower than this (zero-width marks
# aside): a longer text is not measured whole, which in a narrow box, one word a line, would
# lay the rest of a long text out again at each of its lines.
NARROWEST_EM = 0.1


def _keeps_one_word(text: str, kept: int) -> bool:
    """Whether the engine kept (`kept` UTF-8 bytes of `text`) the first word of a text of
    several words, or less: the sign of a text it measured with its trailing space."""
    words = text.rstrip(" ")
    first_word = words.split(" ", 1)[0]
    return " " in words and kept <= len(first_word.encode()) + 1


def install() -> bool:
    """Have the engine measure a text that fits but for its trailing spaces without them
    (once per process); whether it could be done."""
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    def measuring_without_trailing_spaces(engine_split):
        def split_text_box(context, box, available_width, skip, is_line_start=True):
            result = engine_split(context, box, available_width, skip, is_line_start)
            resume = result[1]
            if resume is None or available_width is None or not box.text.endswith(" ") \
                    or box.style["white_space"] not in COLLAPSING:
                return result
            skip = skip or 0
            text = box.text.encode()[skip:].decode()
            if len(text) * NARROWEST_EM * box.style["font_size"] > available_width \
                    or not _keeps_one_word(text, resume - skip):
                return result
            whole = engine_split(context, box, None, skip, is_line_start)
            laid_out = whole[0]
            if laid_out is not None and whole[1] is None and (
                    laid_out.width - inline.trailing_whitespace_size(context, laid_out)
                    <= available_width):
                return whole
            return result
        return split_text_box

    return engine.replace(inline, "split_text_box", measuring_without_trailing_spaces,
                          line_break.split_first_line)


def uninstall() -> None:
    """The engine's own line breaking again (to compare with it)."""
    from weasyprint.layout import inline

    engine.restore(inline, "split_text_box")
