"""Where the project's own assets are: layouts and fonts."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LAYOUTS = PROJECT / "layouts"
DEFAULT_LAYOUT = LAYOUTS / "drawing"
FONTS = PROJECT / "fonts"
