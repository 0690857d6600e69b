"""Rules of good setting that CSS cannot ask for, checked on the laid-out pages.

The layout engine hyphenates where its dictionary allows; a typesetter also wants no word
broken across a page, and no more than two hyphenated lines in a row. After a sheet is laid
out, `words_to_keep_whole` finds the words that break those rules; the sheet is then set
again with those words kept whole (a few passes at most, and only for the sheets that need
it). Reading the engine's line boxes, not the PDF, keeps this cheap.
"""

from __future__ import annotations

MAX_HYPHENATED_RUN = 2
MAX_PASSES = 4  # each pass only removes breaks, so few are ever needed
HYPHEN = "\u2010"  # the engine's hyphenate-character


def _lines(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.LineBox):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child)


def _texts(line) -> list[str]:
    from weasyprint.formatting_structure import boxes

    return [b.text for b in line.descendants() if isinstance(b, boxes.TextBox) and b.text]


def _broken_word(line, following) -> str | None:
    """The word that `line` ends by hyphenating, made whole from its two pieces."""
    texts = _texts(line)
    if not texts or not texts[-1].endswith(HYPHEN):
        return None
    head = texts[-1][:-1].split()[-1:] or [""]
    rest = _texts(following) if following is not None else []
    tail = rest[0].split()[:1] if rest else [""]
    word = (head[0] + (tail[0] if tail else "")).strip("«»“”\"'’()[],.;:!?\u00a0\u202f")
    return word or None


def _is_body(line) -> bool:
    """Hyphenated text only: headings, furniture and labels are never hyphenated."""
    from weasyprint.formatting_structure import boxes

    return any(isinstance(b, boxes.TextBox) and b.style["hyphens"] == "auto" and b.text
               for b in line.descendants())


def words_to_keep_whole(document, column_of) -> set[str]:
    """Words hyphenated across a page break or as a third hyphenated line in a row.

    `column_of(x)` gives the column a line starting at x (CSS px) belongs to."""
    words = set()
    pages = [[line for line in _lines(page._page_box) if _is_body(line)]
             for page in document.pages]
    for index, body in enumerate(pages):
        next_page_first = pages[index + 1][0] if index + 1 < len(pages) and pages[index + 1] \
            else None
        run, column, below = 0, None, None
        for position, line in enumerate(body):
            following = body[position + 1] if position + 1 < len(body) else next_page_first
            # A run goes on only on the next line of the same column, not across a gap.
            if column_of(line.position_x) != column or line.position_y > (below or 0) + 1:
                run, column = 0, column_of(line.position_x)
            below = line.position_y + line.height * 1.5
            broken = _broken_word(line, following)
            run = run + 1 if broken else 0
            if run > MAX_HYPHENATED_RUN:
                words.add(broken)
                run = 0
        if body:
            # The page's last line: the lowest of the last column.
            last_column = max(column_of(line.position_x) for line in body)
            last = max((line for line in body if column_of(line.position_x) == last_column),
                       key=lambda line: line.position_y)
            broken = _broken_word(last, next_page_first)
            if broken:
                words.add(broken)
    return words


def _boxes(box):
    """What a page shows in its text area, as (left, right, bottom) edges: lines,
    pictures, rules."""
    from weasyprint.formatting_structure import boxes

    if box.style["position"] == "fixed":  # the frame, band and title block
        return
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox) or (
            isinstance(box, boxes.BlockBox) and box.border_bottom_width):
        yield (box.position_x, box.position_x + box.margin_width(),
               box.position_y + box.margin_height())
        if isinstance(box, boxes.LineBox):
            return
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def page_fill(document, column_of) -> list[float]:
    """How full each page's text area is, from 0 to 1: how far down each text column's
    content goes, averaged over the columns (a heading or a figure across several
    columns counts in each). One long column beside two empty ones is a third full.

    `column_of(x)` gives the column at x (CSS px)."""
    fills = []
    for page in document.pages:
        page_box = page._page_box
        top, height = page_box.content_box_y(), page_box.height
        left, width = page_box.content_box_x(), page_box.width
        columns = column_of(left + width - 1) + 1
        lowest = [top] * columns
        html = page_box.children[0] if page_box.children else None
        for x0, x1, bottom in _boxes(html) if html is not None else ():
            first = min(column_of(max(x0, left)), columns - 1)
            last = min(column_of(max(x0, min(x1, left + width) - 1)), columns - 1)
            for column in range(first, last + 1):
                lowest[column] = max(lowest[column], bottom)
        fills.append(sum(max(0.0, min(1.0, (bottom - top) / height)) for bottom in lowest)
                     / columns)
    return fills


LAST_PAGE_FILL = 1 / 3  # a sheet's last page is at least this full
PAGE_FILL = 2 / 3  # and every other page at least this


def shortfall(fills: list[float]) -> float:
    """How far the pages fall short of the fill rules (0 when all is well)."""
    wanted = [PAGE_FILL] * (len(fills) - 1) + [LAST_PAGE_FILL]
    return sum(max(0.0, want - fill) for want, fill in zip(wanted, fills, strict=True))


def step_order(steps: int) -> list[int]:
    """The density steps in the order they are tried: the default, then the nearer steps
    first, denser before looser (denser to take back an almost empty last page, looser to
    fill it)."""
    return [0] + sorted((s for s in range(-steps, steps + 1) if s), key=lambda s: (abs(s), s))


def chosen_step(order: list[int], shortfalls: dict[int, float]) -> int | None:
    """The step the fitting keeps, from the shortfalls known so far: the first in `order`
    that meets the rules, or else the first of the least shortfall; None while a step not
    yet tried could change that."""
    best = None
    for step in order:
        if step not in shortfalls:
            return None
        if best is None or shortfalls[step] < shortfalls[best]:
            best = step
        if not shortfalls[best]:
            return best
    return best


def may_be_chosen(order: list[int], shortfalls: dict[int, float], step: int) -> bool:
    """Whether `step` can still be the one kept, whatever the steps not yet tried give."""
    position = order.index(step)
    for other, shortfall in shortfalls.items():
        earlier = order.index(other) < position
        if step not in shortfalls:
            if earlier and not shortfall:
                return False
        elif (earlier and shortfall <= shortfalls[step]) or (
                not earlier and other != step and shortfall < shortfalls[step]):
            return False
    return True


def sheet_shortfall(document, column_of) -> float:
    return shortfall(page_fill(document, column_of))


def choose_density(lay_out, column_of, steps: int):
    """The sheet laid out with `lay_out(keep_whole, step)` at the density step that fills
    its pages best (`chosen_step`), trying the steps in turn: (step, document)."""
    order, shortfalls, best = step_order(steps), {}, None
    for step in order:
        document = lay_out(frozenset(), step)
        shortfalls[step] = sheet_shortfall(document, column_of)
        if best is None or shortfalls[step] < shortfalls[best[0]]:
            best = step, document
        if chosen_step(order, shortfalls) is not None:
            return best


def set_sheet(lay_out, column_of, steps: int):
    """Lay out a sheet with `lay_out(keep_whole, step)`: if its pages are too empty, at the
    density step (from -steps to +steps) that fills them best, the default density winning
    a tie; then again with the words that break badly kept whole.

    The density is chosen first because keeping a word whole moves a line at most, and a
    layout costs as much as the rest of the build: only the chosen step is set again."""
    return keep_words_whole(lay_out, column_of, *choose_density(lay_out, column_of, steps))


def keep_words_whole(lay_out, column_of, step: int, document):
    """Set the sheet again at `step` until no word breaks badly (a few passes at most)."""
    keep_whole: frozenset[str] = frozenset()
    for _ in range(MAX_PASSES):
        more = words_to_keep_whole(document, column_of) - keep_whole
        if not more:
            break
        keep_whole |= more
        document = lay_out(keep_whole, step)
    return document
