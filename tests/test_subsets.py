"""Font subsets made without parsing C at every write (transfo_print/subsets.py)."""

from __future__ import annotations

from pathlib import Path

from transfo_print import subsets
from transfo_print.build import Builder
from transfo_print.load import load

SHEETS = Path(__file__).resolve().parent.parent / "sheets"


class Recorder:
    """An ffi that notes the arrays of a stated length it is asked to make from items."""

    def __init__(self, ffi):
        self.ffi, self.names = ffi, []

    def __getattr__(self, name):
        return getattr(self.ffi, name)

    def new(self, cdecl, init=None):
        if init is not None and subsets._SIZED_ARRAY.fullmatch(cdecl):
            self.names.append(cdecl)
        return self.ffi.new(cdecl, init)


def test_a_sheet_is_the_same_pdf_byte_for_byte_with_its_fonts_subset_so():
    from weasyprint.pdf import fonts

    builder = Builder(load(SHEETS))
    document = builder.renderer.render(
        builder.ts.sheet_html(builder.book.sheets[1], frozenset(), 0))
    subsets.uninstall()
    engine = Recorder(fonts.ffi)
    fonts.ffi = engine
    try:
        by_engine = builder.renderer.write(document, [])
    finally:
        fonts.ffi = engine.ffi
        subsets.install()
    opened = Recorder(fonts.ffi.ffi)
    fonts.ffi.ffi = opened
    try:
        open_arrays = builder.renderer.write(document, [])
    finally:
        fonts.ffi.ffi = opened.ffi
    assert open_arrays == by_engine
    # the engine names each array's length, a new type name to parse for each length
    assert len(engine.names) >= 4, engine.names
    assert opened.names == []


def test_only_an_array_made_from_as_many_items_loses_its_length():
    from weasyprint.text.ffi import ffi

    arrays = subsets.OpenArrays(ffi)
    assert ffi.typeof(arrays.new("hb_codepoint_t[3]", [7, 8, 9])) == ffi.typeof(
        "hb_codepoint_t[]")
    assert list(arrays.new("hb_codepoint_t[3]", [7, 8, 9])) == [7, 8, 9]
    # fewer items than its length, or none: the engine's own array, zeros after the items
    assert list(arrays.new("hb_codepoint_t[4]", [7, 8])) == [7, 8, 0, 0]
    assert ffi.typeof(arrays.new("hb_tag_t[100]")) == ffi.typeof("hb_tag_t[100]")
