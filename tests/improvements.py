"""The layout engine's improvements (render._improve_engine) set against the engine alone,
on the shipped sheets."""

from __future__ import annotations

from pathlib import Path

from transfo_print.build import Builder
from transfo_print.load import load

SHEETS = Path(__file__).resolve().parent.parent / "sheets"


def sheet_pdfs_with_and_without(improvement) -> tuple[list[bytes], list[bytes]]:
    """Every shipped sheet's PDF made by the engine alone, then with `improvement` (a module
    with `install` and `uninstall`) installed again: (by the engine, improved)."""
    builder = Builder(load(SHEETS))
    htmls = [builder.ts.sheet_html(entry, frozenset(), 0) for entry in builder.book.sheets]

    def pdfs() -> list[bytes]:
        return [builder.renderer.write(builder.renderer.render(html), []) for html in htmls]

    improvement.uninstall()
    try:
        by_engine = pdfs()
    finally:
        # the engine installed is the one the improvement was written for
        assert improvement.install()
    return by_engine, pdfs()
