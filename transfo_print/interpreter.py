"""How the interpreter runs a command: with room on its frame stack for the layout engine's
recursion, and with fewer collections of the objects a layout makes by the hundred thousand.

**Room on the frame stack.** CPython (3.11 to 3.13 at least) keeps a thread's Python frames
in chunks, 16 KiB at first: a call that does not fit in the current chunk maps a new one,
and the chunk is unmapped as soon as the call that opened it returns. The layout engine
recurses deep (blocks in blocks, columns, lines) and its calls go back and forth across the
end of a chunk: a cold build of the shipped sheets mapped and unmapped 25,147 chunks, one
layout in a long-lived process about 4,000 (strace), and a seventh of a layout's CPU time
was the kernel's. Run inside one frame that takes just over half of a 1 MiB chunk, every
call below it fits in the rest of that chunk, which stays mapped for as long as the command
runs; only the pages used are ever touched.

**Fewer collections.** The cyclic garbage collector looks at the newest objects every 700
allocations of containers, and at every object now and then. A layout allocates boxes,
styles and lines by the hundred thousand and keeps most of them to the end, so those
collections find little: in a long-lived process, fourteen layouts and writes spent a tenth
of their CPU time in them (0.84 s of 7.2 s, gc.callbacks), 0.29 s with a collection every
10,000 allocations. A cold build, whose sheets' processes leave what they inherit to the
build (workers._fork), spent 0.34 s in them, and 0.17 s; its largest process stays the
same size (127-129 MiB).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from typing import TypeVar

CHUNK_BYTES = 1 << 20  # the frame-stack chunk the reserving frame opens
_SLOT_BYTES = 8  # a frame slot holds a pointer
YOUNG_COLLECTION_EVERY = 10_000  # allocations of containers between collections (Python: 700)

Result = TypeVar("Result")


def _reserving(call):
    return call()


# A frame's size is its locals and its value stack. A value stack that is never used, of
# just over half the chunk, has the interpreter map a chunk that large for the frame, and
# leaves the other half (about 500 KiB, thousands of calls) to the calls below it.
# An interpreter that keeps its frames otherwise, or refuses the change, runs the command
# all the same.
with contextlib.suppress(AttributeError, TypeError, ValueError):
    _reserving.__code__ = _reserving.__code__.replace(
        co_stacksize=CHUNK_BYTES // 2 // _SLOT_BYTES + 64)


def run(call: Callable[[], Result]) -> Result:
    """`call()`, its calls and theirs kept in one chunk of the frame stack, with the
    collector's thresholds for a layout engine."""
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    return _reserving(call)
