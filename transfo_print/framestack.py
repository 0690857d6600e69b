"""Room on the interpreter's frame stack for the layout engine's recursion.

CPython (3.11 to 3.13 at least) keeps a thread's Python frames in chunks, 16 KiB at
first: a call that does not fit in the current chunk maps a new one, and the chunk is
unmapped as soon as the call that opened it returns. The layout engine recurses deep
(blocks in blocks, columns, lines) and its calls go back and forth across the end of a
chunk: one layout of a sheet mapped and unmapped a chunk about 4,000 times, and a seventh
of its CPU time was the kernel's (strace, getrusage). Run inside one frame that takes just
over half of a 1 MiB chunk, every call below it fits in the rest of that chunk, which stays
mapped for as long as the command runs; only the pages used are ever touched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

CHUNK_BYTES = 1 << 20  # the chunk the reserving frame opens
_SLOT_BYTES = 8  # a frame slot holds a pointer

Result = TypeVar("Result")


def _reserving(call):
    return call()


# A frame's size is its locals and its value stack. A value stack that is never used, of
# just over half the chunk, has the interpreter map a chunk that large for the frame, and
# leaves the other half (about 500 KiB, thousands of calls) to the calls below it.
_reserving.__code__ = _reserving.__code__.replace(
    co_stacksize=CHUNK_BYTES // 2 // _SLOT_BYTES + 64)


def with_room(call: Callable[[], Result]) -> Result:
    """`call()`, its calls and theirs kept in one chunk of the frame stack."""
    return _reserving(call)
