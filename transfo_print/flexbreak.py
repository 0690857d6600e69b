"""Flex containers at a page break placed as CSS places a block there.

A part's heading row is a flex container (its name left, its date and number right) with
the part's heavy rule as its top border. WeasyPrint 70 treats such a row unlike a block at
a page break, in two ways, both mended here:

- When the heading does not fit under the text above it, the engine lays the row out with
  none of its items and goes on with them on the next page: the rule is left alone at the
  foot of the page, and the part's anchor with it, so the contents gave the part the page
  before its heading. A block box in the same place is pushed to the next page whole, as
  CSS 2 asks (a break may not leave a box with only its border on a page); a flex
  container that placed no item on a page that already holds something is pushed too.
- At the top of a page it came to by an unforced break, the engine keeps the row's top
  margin, where a block's is truncated to zero (CSS Fragmentation 3, 5.2): a page that
  opened on a part stood its heavy rule 5 mm below the text area's top, lower than on
  every other page. The margin is truncated when nothing stands between the row and the
  page's top (no border, padding or content of a box around it on this page).
"""

from __future__ import annotations


def install() -> None:
    """Have block-level flex containers pushed whole and their margins truncated at page
    breaks as blocks are (once per process)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, page

    engine_layout = block.flex_layout
    if hasattr(engine_layout, "engine_layout"):
        return
    engine_page_flow = page.block_level_layout
    engine_in_flow = block._in_flow_layout

    def page_flow(context, box, *args, **kwargs):
        # The page's content top: a box that starts there with nothing above it on the
        # page has its top margin on the page break.
        if box.is_for_root_element:
            context.page_content_top = box.position_y
        return engine_page_flow(context, box, *args, **kwargs)

    def in_flow(context, box, index, child, new_children, page_is_empty, absolute_boxes,
                fixed_boxes, adjoining_margins, bottom_space, position_y, skip_stack,
                *rest):
        arguments = (context, box, index, child, new_children, page_is_empty,
                     absolute_boxes, fixed_boxes, adjoining_margins, bottom_space,
                     position_y, skip_stack, *rest)
        if not isinstance(child, boxes.FlexBox) or not _margin_on_break(
                context, child, skip_stack, page_is_empty, new_children, position_y):
            return engine_in_flow(*arguments)
        # The engine reads the row's margin from its style in more than one place: the
        # row is laid out with a style whose top margin is nought.
        style = child.style
        child.style = _without_top_margin(style)
        try:
            return engine_in_flow(*arguments)
        finally:
            child.style = style

    def flex_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                    absolute_boxes, fixed_boxes, discard):
        result = engine_layout(context, box, bottom_space, skip_stack, containing_block,
                               page_is_empty, absolute_boxes, fixed_boxes, discard)
        laid_out, resume_at = result[0], result[1]
        nothing_placed = laid_out is not None and not any(
            child.is_in_normal_flow() for child in laid_out.children)
        if nothing_placed and resume_at is not None and skip_stack is None \
                and not page_is_empty:
            return None, None, {"break": "any", "page": None}, [], False
        return result

    for patch, engine in ((flex_layout, engine_layout), (page_flow, engine_page_flow),
                          (in_flow, engine_in_flow)):
        patch.engine_layout = engine
    block.flex_layout = flex_layout
    block._in_flow_layout = in_flow
    page.block_level_layout = page_flow


def _margin_on_break(context, box, skip_stack, page_is_empty, placed, position_y) -> bool:
    """Whether `box`'s top margin adjoins an unforced page break: it starts the page, with
    nothing placed above it (the engine's rule for a block, which it applies to a flex
    container only as a child of the root's box)."""
    from weasyprint.layout.absolute import AbsolutePlaceholder

    if skip_stack is not None or not page_is_empty or context.current_page <= 1:
        return False
    if any(not isinstance(child, AbsolutePlaceholder) for child in placed):
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
    """The engine's own layout again (to compare with it)."""
    from weasyprint.layout import block, page

    for module, name in ((block, "flex_layout"), (block, "_in_flow_layout"),
                         (page, "block_level_layout")):
        engine_layout = getattr(getattr(module, name), "engine_layout", None)
        if engine_layout is not None:
            setattr(module, name, engine_layout)
