"""Tables measured again when the engine makes pages again.

A page that shows the page number of something further on (`target-counter()`: the
contents page gives the folios of the parts list and the colophon) is laid out once with
that number unknown, then made again once it is known. WeasyPrint keeps each table's
column widths from its first measure for the rest of the document, so a table cell that
held the unknown number keeps the width of an empty cell, and the number set in it
afterwards runs past the table's right edge. `install` has the engine forget those widths
before each new pass over the pages: the pages made again measure their tables with the
text they now hold, and a table that did not change measures the same.
"""

from __future__ import annotations

from . import engine


def install() -> bool:
    """Have the engine measure tables afresh at each pass over the pages (once per
    process); whether it could be done."""
    from weasyprint import layout

    def forgetting_tables(engine_pass):
        def make_all_pages(context, root_box, html, pages):
            tables = getattr(context, "tables", None)
            if pages and isinstance(tables, dict):  # a later pass: widths may be out of date
                tables.clear()
            return engine_pass(context, root_box, html, pages)
        return make_all_pages

    return engine.replace(layout, "make_all_pages", forgetting_tables)
