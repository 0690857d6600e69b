"""Font subsets made without parsing C at every write.

At each PDF it writes, the engine subsets every font with HarfBuzz and hands it the glyphs
to keep as a cffi array whose type names its length (`hb_codepoint_t[137]`). cffi reads each
new type name with its C parser, about 7 ms a name, and the lengths differ from one document
to the next: some eight names per sheet written, in every process that writes one. An array
made from its items needs no length in its type (`hb_codepoint_t[]`), a name read once per
process. `install` gives the engine's font module an ffi that makes such arrays that way;
they hold the same items, so the subsets and the PDFs are the same (tests/test_subsets.py).
"""

from __future__ import annotations

import re

from . import engine

_SIZED_ARRAY = re.compile(r"(\w+)\[(\d+)\]")


class OpenArrays:
    """The engine's ffi, except that an array of a stated length made from as many items
    is made as an array of no stated length."""

    def __init__(self, ffi):
        self.ffi = ffi

    def __getattr__(self, name):
        return getattr(self.ffi, name)

    def new(self, cdecl, init=None):
        sized = _SIZED_ARRAY.fullmatch(cdecl)
        if sized and isinstance(init, (list, tuple)) and len(init) == int(sized[2]):
            cdecl = f"{sized[1]}[]"
        return self.ffi.new(cdecl, init)


def install() -> bool:
    """Have the engine's font subsetting make its arrays through `OpenArrays` (once per
    process); whether it could be done."""
    from weasyprint.pdf import fonts

    if isinstance(fonts.ffi, OpenArrays):
        return True
    if not engine.known(fonts):
        return False
    fonts.ffi = OpenArrays(fonts.ffi)
    return True


def uninstall() -> None:
    """The engine makes its arrays as it always did (to compare with it)."""
    from weasyprint.pdf import fonts

    if isinstance(fonts.ffi, OpenArrays):
        fonts.ffi = fonts.ffi.ffi
