"""Tables measured again on pages made again for a page number found later
(transfo_print/repagination.py)."""

from __future__ import annotations

import pytest

from transfo_print import render

# A leader row as the contents' are: a one-row table of a name, dots that take the room
# left, and a number, here the page of a heading eleven pages on, known only once those
# pages are laid out.
HTML = """<!DOCTYPE html><html><head><style>
@page { size: 100mm 100mm; margin: 10mm; }
body { margin: 0; }
.row { display: table; width: 100%; }
.row > * { display: table-cell; white-space: nowrap; }
.row > .dots { width: 100%; }
.row > .folio { padding-left: 1mm; text-align: right; }
.folio::before { content: target-counter(attr(data-of), page, PAGE_STYLE); }
.later { break-before: page; }
</style></head><body>
<p class="row"><span>Colophon</span><span class="dots"></span>
<span class="folio" data-of="#end"></span></p>
PAGES
</body></html>"""


def _text_boxes(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


@pytest.mark.parametrize("style, number", [("decimal", "12"), ("lower-roman", "xii")])
def test_a_number_found_later_stands_inside_its_table_cell(style, number):
    weasyprint = render.load_engine()
    pages = "".join(f'<p class="later"{" id=end" if n == 12 else ""}>Page {n}</p>'
                    for n in range(2, 13))
    html = HTML.replace("PAGE_STYLE", style).replace("PAGES", pages)
    document = weasyprint.HTML(string=html).render()
    assert len(document.pages) == 12
    page = document.pages[0]._page_box
    right = page.content_box_x() + page.width
    found = [box for box in _text_boxes(page) if box.text == number]
    assert found, [box.text for box in _text_boxes(page)]
    # flush right in its cell, as a number known from the start would be
    assert abs(found[0].position_x + found[0].width - right) < 0.01, (
        found[0].position_x + found[0].width, right)
