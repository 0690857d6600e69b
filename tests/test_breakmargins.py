"""Top margins truncated at page and column breaks (transfo_print/breakmargins.py): the
faults the engine alone leaves, read back from the PDF, and gone with the truncation. The
page is made of boxes of fixed height and lines ended by <br>, so that where it breaks does
not depend on the text-shaping library."""

from __future__ import annotations

from types import SimpleNamespace

import layout

from transfo_print import breakmargins, render

# A 120 x 90 mm page with a 74 mm text area, set in two columns of 50 mm.
PAGE = SimpleNamespace(body=(8, 8, 104, 74), columns=2, column_width=49, column_gap=6)
HTML = (
    "<style>@page { size: 120mm 90mm; margin: 8mm } body { font: 10pt/1.3 serif; margin: 0 }"
    " .part-head { display: flex; justify-content: space-between; margin: 5mm 0 3mm;"
    "   border-top: 0.7mm solid #000; border-bottom: 0.25mm solid #000 }"
    " h2, p { margin: 0 } h3 { margin: 3mm 0 1mm }"
    " .part-body { columns: 2; column-gap: 6mm; column-rule: 0.25mm solid #000 }</style>"
    # a paragraph that may not break fills the first column: the heading opens the second
    '<div class="part-body"><p style="break-inside: avoid">'
    + "<br>".join("line" for _ in range(8))
    + "</p><h3>Heading</h3><p>line<br>line</p></div>"
    # the first page full: the next part's heading row goes over by an unforced break
    '<div style="height: 30mm"></div>'
    '<div class="part-head"><h2>Part</h2><p>N 001</p></div><p>line</p>')


def test_a_page_and_a_column_open_at_their_top_only_with_the_margins_truncated(tmp_path):
    """With the engine's own margins the heading row stands 5 mm under the text area's top
    and the column's heading 3 mm under the line beside it; with the truncation, neither."""
    weasyprint = render.load_engine()

    def faults(name: str) -> list[str]:
        pdf = tmp_path / f"{name}.pdf"
        weasyprint.HTML(string=HTML).write_pdf(pdf)
        return [fault for page in layout.read(pdf)
                for fault in layout.text_top_faults(page, PAGE)
                + layout.column_start_faults(page, PAGE)]

    breakmargins.uninstall()
    try:
        by_engine = faults("engine")
    finally:
        assert breakmargins.install()
    assert any("opens on a rule" in fault for fault in by_engine), by_engine
    assert any("columns" in fault for fault in by_engine), by_engine
    assert not faults("truncated")
