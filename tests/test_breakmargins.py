"""Top margins truncated at page and column breaks (transfo_print/breakmargins.py): the
faults the engine alone leaves, read back from the PDF, and gone with the truncation."""

from __future__ import annotations

from pathlib import Path

import layout
from conftest import SHEETS

from transfo_print import breakmargins
from transfo_print.build import Builder
from transfo_print.geometry import PAPERS
from transfo_print.load import load


def test_a_sheets_columns_start_level_only_with_the_margins_truncated(tmp_path):
    """Sheet 01 on A4: a column opens on a heading beside a line, and its second page
    opens on a part. With the engine's own margins, the heading stands lower than the line
    beside it and the part's rule lower than the text area's top."""
    builder = Builder(load(SHEETS))
    html = builder.ts.sheet_html(builder.book.sheets[0], frozenset(), 0)

    def faults(name: str) -> list[str]:
        pdf = Path(tmp_path / f"{name}.pdf")
        pdf.write_bytes(builder.renderer.write(builder.renderer.render(html), []))
        paper = PAPERS["a4"]
        return [fault for page in layout.read(pdf)
                for fault in layout.column_start_faults(page, paper)
                + layout.text_top_faults(page, paper)]

    breakmargins.uninstall()
    try:
        by_engine = faults("engine")
    finally:
        breakmargins.install()
    assert any("columns" in fault for fault in by_engine), by_engine
    assert any("opens on a rule" in fault for fault in by_engine), by_engine
    assert not faults("truncated")
