"""Where the tool's own assets are: layouts and fonts.

Installed from a wheel they are package data inside the package (transfo_print/layouts,
transfo_print/fonts); in a checkout, editable install included, they are beside it at the top
of the repository.
"""

from importlib.resources import files
from pathlib import Path

PACKAGE = Path(str(files(__package__)))


def _asset(name: str) -> Path:
    installed = PACKAGE / name
    return installed if installed.is_dir() else PACKAGE.parent / name


LAYOUTS = _asset("layouts")
DEFAULT_LAYOUT = LAYOUTS / "drawing"
FONTS = _asset("fonts")

# Inside a source folder: the publication's file, which lists the sheets; the drawings
# (`figures/`) and photos (`images/`) its sheets use.
PUBLICATION_FILE = "publication.yaml"
ASSET_FOLDERS = ("figures", "images")
