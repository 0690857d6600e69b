"""Column balancing that searches for the height instead of climbing to it pixel by pixel.

WeasyPrint 70 balances a multi-column box by laying its columns out again, a little
higher each time, until the content fits. Where it knows how much higher the next block
needs the columns to be, it steps by that much. Where it cannot tell (a block that may not
break, lines held together by widows and orphans) it adds one pixel per try: a part of a
few lines then costs dozens of layouts of its columns (79 in one part of sheet 02).

`HeightSearch` takes the engine's own steps where the engine knows them. Otherwise it
doubles the step until the content fits, then halves the interval between the highest
height found too short and the lowest found to fit. It searches the same one-pixel grid
as the engine, so it lands on the same height whenever more height never makes content
fit worse, in a handful of layouts.

`install` edits the engine's function in its own source, at the two places that step
the height. If either place is not found exactly as expected (another engine version), or
the engine was installed without its sources, nothing is changed and the engine balances
as it always did, only slower.
"""

from __future__ import annotations

import inspect
from math import floor, inf

# (the engine's lines, what they become), each found exactly once in its column module
_EDITS = (
    # where balancing starts, from the average of the columns' heights
    ("                        height = sum(consumed_heights) / count\n",
     "                        height = sum(consumed_heights) / count\n"
     "                        search = HeightSearch(height)\n"),
    # after each try: the next height, or the end
    ("""            if balancing:
                if column_skip_stack is None:
                    # We rendered the whole content, stop
                    break

                # Increase the column heights and render them again
                add_height = 1 if lost_space == inf else lost_space
                height += add_height

                if height > max_height:
                    # We reached max height, stop rendering
                    height = max_height
                    stop_rendering = True
                    break
""", """            if balancing:
                height, done, stop_rendering = search.next(
                    height, column_skip_stack is None, lost_space, max_height)
                if done:
                    break
"""),
)


class HeightSearch:
    """The heights to try, one after the other, to balance one run of columns.

    Heights are `start` plus a whole number of pixels, as the engine's own climb; `tried`
    is that number for the height just tried."""

    def __init__(self, start: float):
        self.start = start
        self.tried = 0
        self.too_short: int | None = None  # the highest tried where the content did not fit
        self.fits: int | None = None  # the lowest tried where it did
        self.stride = 1

    def next(self, height: float, fitted: bool, lost_space: float, max_height: float
             ) -> tuple[float, bool, bool]:
        """After trying `height`: the next height, whether it is the last, and whether the
        columns could not be balanced (they then take `max_height`, as in the engine)."""
        if fitted:
            self.fits = self.tried
        else:
            self.too_short = self.tried
            if self.fits is None and lost_space != inf:
                # the engine's own step: the least height that lets the next block up
                self.start, self.tried, self.too_short, self.stride = (
                    height + lost_space, 0, None, 1)
                if self.start > max_height:
                    return max_height, True, True
                return self.start, False, False
        if self.fits is not None:
            if self.too_short is None or self.fits - self.too_short <= 1:
                return self.start + self.fits, True, False
            self.tried = (self.too_short + self.fits) // 2
            return self.start + self.tried, False, False
        self.tried = min(self.too_short + self.stride, floor(max_height - self.start))
        self.stride *= 2
        if self.tried <= self.too_short:
            return max_height, True, True
        return self.start + self.tried, False, False


def install() -> bool:
    """Balance the engine's columns with `HeightSearch`; whether it could be done."""
    from weasyprint.layout import block, column

    if getattr(column.columns_layout, "balanced_by_search", False):
        return True
    try:
        source = inspect.getsource(column)
    except (OSError, TypeError):  # installed without its sources: left as it is
        return False
    for engine_lines, searching in _EDITS:
        if source.count(engine_lines) != 1:
            return False
        source = source.replace(engine_lines, searching)
    namespace = {**vars(column), "HeightSearch": HeightSearch}
    exec(compile(source, f"{column.__file__} (edited by {__name__})", "exec"), namespace)
    balanced = namespace["columns_layout"]
    balanced.balanced_by_search = True
    balanced.engine_columns_layout = column.columns_layout
    column.columns_layout = block.columns_layout = balanced
    return True


def uninstall() -> None:
    """The engine's own balancing again (to compare with it)."""
    from weasyprint.layout import block, column

    original = getattr(column.columns_layout, "engine_columns_layout", None)
    if original is not None:
        column.columns_layout = block.columns_layout = original
