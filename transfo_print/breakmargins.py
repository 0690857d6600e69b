"""Top margins at page and column breaks, truncated as CSS truncates them, so that the
columns of a part start level and a page's text starts at the text area's top.

CSS Fragmentation 3 (5.2) truncates to zero the margins that adjoin an unforced break.
WeasyPrint 70 does so for a block at the top of a page, and only there. Two places of the
drawing sheet were left with a margin the reader sees as a fault:

- A part's heading row is a flex container. At the top of a page it came to by an
  unforced break, the engine kept its top margin: a page that opened on a part stood its
  heavy rule 5 mm below the text area's top, lower than on every other page.
- A part's body is set in columns. A heading (h3) at the top of a column kept its top
  margin, so it stood 3 mm lower than the first line of the column beside it, wherever
  one column opened on a heading and the other did not.

`install` lays such a box out with a top margin of nought: a flex container with nothing
above it on the page, and the first box of every column. The first column is treated as
the others, though it follows no break, so that a part's columns always start level.
"""

from __future__ import annotations

from . import engine


def install() -> bool:
    """Have the engine truncate these margins (once per process); whether it could be
    done."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, page

    def recording_page_top(engine_page_flow):
        def page_flow(context, box, *args, **kwargs):
            # The page's content top: a box that starts there with nothing above it on the
            # page has its top margin on the page break.
            if box.is_for_root_element:
                context.page_content_top = box.position_y
            return engine_page_flow(context, box, *args, **kwargs)
        return page_flow

    def truncating(engine_in_flow):
        def in_flow(context, box, index, child, new_children, page_is_empty, absolute_boxes,
                    fixed_boxes, adjoining_margins, bottom_space, position_y, skip_stack,
                    *rest):
            arguments = (context, box, index, child, new_children, page_is_empty,
                         absolute_boxes, fixed_boxes, adjoining_margins, bottom_space,
                         position_y, skip_stack, *rest)
            truncated = skip_stack is None and _first(new_children) and (
                box.is_column or isinstance(child, boxes.FlexBox) and _on_page_break(
                    context, child, page_is_empty, position_y))
            if not truncated:
                return engine_in_flow(*arguments)
            # The engine reads a box's margin from its style in more than one place: the
            # box is laid out with a style whose top margin is nought.
            style = child.style
            child.style = _without_top_margin(style)
            try:
                return engine_in_flow(*arguments)
            finally:
                child.style = style
        return in_flow

    return (engine.replace(block, "_in_flow_layout", truncating, block.block_level_layout,
                           page.make_page)
            and engine.replace(page, "block_level_layout", recording_page_top))


def _first(placed) -> bool:
    """Whether nothing in the flow was placed before, in the same box."""
    from weasyprint.layout.absolute import AbsolutePlaceholder

    return all(isinstance(child, AbsolutePlaceholder) for child in placed)


def _on_page_break(context, box, page_is_empty, position_y) -> bool:
    """Whether `box`'s top margin adjoins an unforced page break: it starts the page, with
    nothing above it (the engine's rule for a block, which it applies to a flex container
    only as a child of the root's box)."""
    if not page_is_empty or context.current_page <= 1:
        return False
    if position_y != getattr(context, "page_content_top", None):
        return False
    margin_break = box.style["margin_break"]
    return margin_break == "discard" or (margin_break == "auto" and not context.forced_break)


def _without_top_margin(style):
    """`style` with a top margin of nought, made once per style."""
    from weasyprint.css.properties import Dimension

    truncated = style.__dict__.get("top_margin_truncated")
    if truncated is None:
        truncated = style.copy()
        truncated["margin_top"] = Dimension(0, "px")
        style.top_margin_truncated = truncated
    return truncated


def uninstall() -> None:
    """The engine's own margins again (to compare with them)."""
    from weasyprint.layout import block, page

    engine.restore(block, "_in_flow_layout")
    engine.restore(page, "block_level_layout")
