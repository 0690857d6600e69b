"""Visual regression: what the project draws, rendered small and compared with committed
golden images.

Only pages whose text is never broken into lines by the text engine are compared (the
furniture of a sheet page, the cover, the contents): where a given Pango version breaks
the lines of a paragraph is not the project's drawing, and differs between versions. The
body text is measured instead by tests/test_layout.py.

Run `pytest --update-golden` after an intended change of the layout, look at the new
images, and commit them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from transfo_print.build import Builder

GOLDEN = Path(__file__).resolve().parent / "golden"
RESOLUTION = 30  # dpi: enough to see the layout move, small enough to commit
# page of the booklet -> what it shows
PAGES = {1: "cover", 2: "contents"}
TOLERANCE = 0.004  # share of pixels allowed to differ clearly (anti-aliasing noise)


def render_page(pdf: Path, page: int, target: Path) -> Image.Image:
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
                    "-singlefile", "-gray", "-png", str(pdf), str(stem)], check=True)
    return Image.open(stem.with_suffix(".png")).convert("L")


@pytest.fixture(scope="module")
def furniture(built, tmp_path_factory) -> Path:
    """Sheet 01's first page with its content taken out: frame, band and title block."""
    entry = built.book.sheets[0]
    html = (built.html / f"{entry.slug}.html").read_text("utf-8")
    html = re.sub(r"<article.*</article>", "", html, flags=re.DOTALL)
    builder = Builder(built.book)
    pdf = tmp_path_factory.mktemp("furniture") / "furniture.pdf"
    # written by the engine alone: a page of furniture has no text for the tags' repair
    pdf.write_bytes(builder.lay_out(html, "furniture", entry.path).write_pdf())
    return pdf


@pytest.mark.parametrize(("page", "name"), PAGES.items(), ids=PAGES.values())
def test_page_matches_its_golden_image(built, tmp_path, request, page, name):
    compare(render_page(built.booklet, page, tmp_path / name), name, tmp_path, request)


def test_sheet_furniture_matches_its_golden_image(furniture, tmp_path, request):
    compare(render_page(furniture, 1, tmp_path / "furniture"), "sheet-furniture", tmp_path,
            request)


def compare(image: Image.Image, name: str, tmp_path: Path, request) -> None:
    golden = GOLDEN / f"{name}.png"
    if request.config.getoption("--update-golden") or not golden.exists():
        GOLDEN.mkdir(exist_ok=True)
        image.save(golden)
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"no golden image yet: wrote {golden}, look at it and commit it")
        return
    expected = Image.open(golden).convert("L")
    assert image.size == expected.size
    difference = ImageChops.difference(image, expected).point(lambda v: 255 if v > 64 else 0)
    changed = sum(difference.histogram()[255:]) / (image.width * image.height)
    if changed > TOLERANCE:
        image.save(tmp_path / f"{name}-actual.png")
        difference.save(tmp_path / f"{name}-difference.png")
    assert changed <= TOLERANCE, (
        f"{name}: {changed:.2%} of pixels differ; see {tmp_path} "
        "(run pytest --update-golden if the change is intended)"
    )
