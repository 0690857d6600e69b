"""Whether a box is in the normal flow, read from its style in one look.

WeasyPrint asks each box `is_in_normal_flow()` wherever it lays out or breaks a run of
siblings: about 10,000 times a layout of a shipped sheet. The engine answers through five
methods, one per scheme that takes a box out of the flow (floated, absolutely positioned,
running, footnote, note), and so looks the same two properties up in the style several
times, behind six Python calls. `install` gives boxes a method that looks `float` and
`position` up once each and answers as those five do together: the pages come out the same
(tests/test_flow.py), and a layout takes about a tenth less time.

The answer is WeasyPrint 70's: `install` leaves another version's engine as it is
(`engine.known`).
"""

from __future__ import annotations

from . import engine

# what takes a box out of the flow: its float, its position, or the function its position
# names (the engine's Box.is_floated, is_footnote, is_absolutely_positioned, is_running,
# is_note)
OUT_OF_FLOW_FLOATS = frozenset(("left", "right", "inline-start", "inline-end", "footnote"))
OUT_OF_FLOW_POSITIONS = frozenset(("absolute", "fixed"))
OUT_OF_FLOW_FUNCTIONS = frozenset(("running()", "note()"))
# the engine's methods whose answers these are (their sources: engine.WRITTEN_FOR)
SCHEMES = ("is_floated", "is_footnote", "is_absolutely_positioned", "is_running", "is_note",
           "is_in_normal_flow")


def is_in_normal_flow(box) -> bool:
    """The engine's `Box.is_in_normal_flow`, with one look at each property."""
    style = box.style
    if style["float"] in OUT_OF_FLOW_FLOATS:
        return False
    position = style["position"]
    return not (position in OUT_OF_FLOW_POSITIONS or position[0] in OUT_OF_FLOW_FUNCTIONS)


def install() -> bool:
    """Have boxes answer with `is_in_normal_flow` (once per process); whether it could be
    done."""
    from weasyprint.formatting_structure.boxes import Box

    if Box.is_in_normal_flow is is_in_normal_flow:
        return True
    if not engine.known(*(getattr(Box, name) for name in SCHEMES)):
        return False
    Box.engine_is_in_normal_flow = Box.is_in_normal_flow
    Box.is_in_normal_flow = is_in_normal_flow
    return True


def uninstall() -> None:
    """Boxes answer through the engine's five methods again (to compare with them)."""
    from weasyprint.formatting_structure.boxes import Box

    if Box.is_in_normal_flow is is_in_normal_flow:
        Box.is_in_normal_flow = Box.engine_is_in_normal_flow
