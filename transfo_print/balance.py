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

Each try lays the columns out in full, and the engine then lays them out once more at the
height it chose. `Tries` keeps the columns of each try, and the last layout takes those of
the try at its height instead, moved to their places across the row, where nothing can make
the two differ: the same height, space below and page state, and nothing left in the
context beside the boxes. (A column is a formatting context of its own: a float in it
moves only its own lines, wherever the column stands.)

`install` edits the engine's function in its own source, at the places that step the
height and that lay the columns out. If any place is not found exactly as expected
(another engine version), or the engine was installed without its sources, nothing is
changed and the engine balances as it always did, only slower.
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
    # a run of columns starts: its tries are kept until its columns are laid out
    ("        page_is_empty = stop_rendering = balancing = False\n",
     "        page_is_empty = stop_rendering = balancing = False\n"
     "        tries = Tries(context)\n"),
    # each try
    ("""            column_skip_stack = skip_stack
            consumed_heights = []
            new_boxes = []
""", """            column_skip_stack = skip_stack
            consumed_heights = []
            new_boxes = []
            laid = tries.start(
                height, column_box, context.page_bottom - current_position_y - height,
                page_is_empty or not balancing)
"""),
    ("""                    page_is_empty or not balancing, [], [], [], first_letter_style,
                    first_line_style, discard=False, max_lines=None)
""", """                    page_is_empty or not balancing, laid.absolute, laid.fixed, [],
                    first_letter_style, first_line_style, discard=False, max_lines=None)
"""),
    ("""                new_boxes.append(new_box)
""", """                new_boxes.append(new_box)
                laid.columns.append((new_box, resume_at, next_page,
                                     len(laid.absolute), len(laid.fixed)))
"""),
    ("""            remove_placeholders(context, new_boxes, [], [])
""", """            tries.end(laid)
            remove_placeholders(context, new_boxes, [], [])
"""),
    # the last layout of each column, at the height chosen
    ("""            new_child, column_skip_stack, column_next_page, _, _, _ = (
                block_box_layout(""",
     """            new_child, column_skip_stack, column_next_page, _, _, _ = tries.kept(
                    height, bottom_space, original_page_is_empty, i, column_box,
                    absolute_boxes, fixed_boxes) or (
                block_box_layout("""),
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


class Try:
    """The columns of one try: each as the engine's layout returned it."""

    def __init__(self, column_box, bottom_space: float, page_is_empty: bool, state: tuple):
        self.x = column_box.position_x  # every column of a try is laid out at the first's
        self.bottom_space = bottom_space
        self.page_is_empty = page_is_empty
        self.state = state
        # the absolutely positioned and fixed boxes met, placed once the columns are
        self.absolute: list = []
        self.fixed: list = []
        # (box, resume_at, next_page, how many of each kind of boxes above were met by
        # the end of the column)
        self.columns: list[tuple] = []


class Tries:
    """The tries of one run of columns, by height, for its last layout to take (`kept`)."""

    def __init__(self, context):
        self.context = context
        self.by_height: dict[float, Try] = {}

    def _state(self) -> tuple:
        """What a layout may leave in the context beside its boxes: boxes broken across
        the page, footnotes, running elements."""
        context = self.context
        running = sum(len(pages.get(context.current_page, ()))
                      for pages in context.running_elements.values())
        return (len(context.broken_out_of_flow), len(context.current_page_footnotes),
                len(context.reported_footnotes), running)

    def start(self, height: float, column_box, bottom_space: float, page_is_empty: bool
              ) -> Try:
        laid = Try(column_box, bottom_space, page_is_empty, self._state())
        self.by_height[height] = laid
        return laid

    def end(self, laid: Try) -> None:
        """Forget a try that left anything in the context beside its boxes."""
        if self._state() != laid.state:
            laid.columns = []

    def kept(self, height: float, bottom_space: float, page_is_empty: bool, index: int,
             column_box, absolute_boxes: list, fixed_boxes: list) -> tuple | None:
        """Column `index` of the try at `height`, moved to `column_box`'s place, if its
        layout was made with what the last layout is given; else None. The positioned
        boxes it met join the lists the last layout adds them to."""
        laid = self.by_height.get(height)
        if (laid is None or index >= len(laid.columns) or laid.bottom_space != bottom_space
                or laid.page_is_empty != page_is_empty):
            return None
        box, resume_at, next_page, absolute_end, fixed_end = laid.columns[index]
        absolute_start, fixed_start = laid.columns[index - 1][3:] if index else (0, 0)
        box.translate(column_box.position_x - laid.x, 0)
        absolute_boxes.extend(laid.absolute[absolute_start:absolute_end])
        fixed_boxes.extend(laid.fixed[fixed_start:fixed_end])
        return box, resume_at, next_page, None, None, None


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
    namespace = {**vars(column), "HeightSearch": HeightSearch, "Tries": Tries}
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
