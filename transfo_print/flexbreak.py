"""A flex container that nothing of fits at the foot of a page goes to the next page whole.

A part's heading row is a flex container (its name left, its date and number right) with
the part's heavy rule as its top border. When the heading does not fit under the text
above it, WeasyPrint 70 lays the row out with none of its items and goes on with them on
the next page: the rule is left alone at the foot of the page, and the part's anchor with
it, so the contents gave the part the page before its heading. A block box in the same
place is pushed to the next page whole, as CSS 2 asks (a break may not leave a box with
only its border on a page). `install` has the engine treat a block-level flex container
the same way: where it placed no item and the page already holds something, it is pushed.
"""

from __future__ import annotations

from . import engine


def install() -> bool:
    """Have block-level flex containers that place no item pushed to the next page (once
    per process); whether it could be done."""
    from weasyprint.layout import block

    def pushing_flex_layout(engine_layout):
        def flex_layout(context, box, bottom_space, skip_stack, containing_block,
                        page_is_empty, absolute_boxes, fixed_boxes, discard):
            result = engine_layout(context, box, bottom_space, skip_stack, containing_block,
                                   page_is_empty, absolute_boxes, fixed_boxes, discard)
            laid_out, resume_at = result[0], result[1]
            nothing_placed = laid_out is not None and not any(
                child.is_in_normal_flow() for child in laid_out.children)
            if nothing_placed and resume_at is not None and skip_stack is None \
                    and not page_is_empty:
                return None, None, {"break": "any", "page": None}, [], False
            return result
        return flex_layout

    return engine.replace(block, "flex_layout", pushing_flex_layout,
                          block.block_level_layout_switch)


def uninstall() -> None:
    """The engine's own flex layout again (to compare with it)."""
    from weasyprint.layout import block

    engine.restore(block, "flex_layout")
