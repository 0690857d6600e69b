"""The layout engine's code that the improvements (render._improve_engine) wrap or answer
for, and the sources they were written for.

Each improvement reaches into WeasyPrint 70.0: a function it wraps, methods it answers for,
a module whose calls it changes. A later release of the engine may change what an
improvement relies on; the improvement is then left out (its `install` returns False)
rather than run against code it does not know, and the build says so.
"""

from __future__ import annotations

import hashlib
import inspect

WRITTEN_FOR_VERSION = "70.0"
# The first 16 hex digits of the sha256 of each object's source in that version.
WRITTEN_FOR = {
    "weasyprint.layout.block._in_flow_layout": "c2537262836dd981",
    "weasyprint.layout.block.block_level_layout": "c1301dde9284e245",
    "weasyprint.layout.block.block_level_layout_switch": "b963d54014264fcd",
    "weasyprint.layout.page.make_page": "656f183328e8b1b5",
    "weasyprint.layout.page.make_all_pages": "b5e4034894841caa",
    "weasyprint.layout.flex.flex_layout": "88846efd249bd643",
    "weasyprint.layout.inline.split_text_box": "8c564329599ef23f",
    "weasyprint.layout.percent": "bac190e240dce17b",
    "weasyprint.text.line_break.split_first_line": "39ad1016863ca34d",
    "weasyprint.text.line_break.strut": "b57885b70dd08efe",
    "weasyprint.html.handle_svg": "7333e60dbdc9a354",
    "weasyprint.pdf.fonts": "9ad9a202a416b845",
    "weasyprint.formatting_structure.boxes.Box.is_floated": "6e6071b81868ea92",
    "weasyprint.formatting_structure.boxes.Box.is_footnote": "3550ea0c86860187",
    "weasyprint.formatting_structure.boxes.Box.is_absolutely_positioned": "397e0c33b3087681",
    "weasyprint.formatting_structure.boxes.Box.is_running": "1c451d5c39f4a663",
    "weasyprint.formatting_structure.boxes.Box.is_note": "2651f1110437e2e3",
    "weasyprint.formatting_structure.boxes.Box.is_in_normal_flow": "5f49d6ab23da7e51",
}


def name(code) -> str:
    """A function's or module's full name, as WRITTEN_FOR gives it."""
    if inspect.ismodule(code):
        return code.__name__
    return f"{code.__module__}.{code.__qualname__}"


def digest(code) -> str:
    try:
        source = inspect.getsource(code)
    except (OSError, TypeError):  # installed without its sources
        return ""
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def known(*codes) -> bool:
    """Whether each of `codes` (the engine's own functions and modules, not an
    improvement's) is the code the improvements were written for."""
    return all(WRITTEN_FOR.get(name(code)) == digest(code) for code in codes)


def replace(module, name: str, make, *relied_on) -> bool:
    """Put `make(the engine's function)` in place of the engine's `module.name` (once per
    process), if that function and what else the replacement relies on are the code the
    improvements were written for; whether it is in place."""
    function = getattr(module, name)
    if hasattr(function, "engine_code"):
        return True
    if not known(function, *relied_on):
        return False
    replacement = make(function)
    replacement.engine_code = function
    setattr(module, name, replacement)
    return True


def restore(module, name: str) -> None:
    """The engine's own `module.name` again, where `replace` put another (to compare)."""
    function = getattr(getattr(module, name), "engine_code", None)
    if function is not None:
        setattr(module, name, function)
