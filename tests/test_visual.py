"""Visual regression: a few pages rendered small and compared with committed golden images.

Run `pytest --update-golden` (or `make golden`) after an intended change of the layout,
look at the new images, and commit them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

GOLDEN = Path(__file__).resolve().parent / "golden"
RESOLUTION = 30  # dpi: enough to see the layout move, small enough to commit
# page of the booklet -> what it shows
PAGES = {1: "cover", 2: "contents", 3: "sheet-01-first", 4: "sheet-01-continued"}
TOLERANCE = 0.004  # share of pixels allowed to differ clearly (anti-aliasing noise)


def render_page(pdf: Path, page: int, target: Path) -> Image.Image:
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
                    "-singlefile", "-gray", "-png", str(pdf), str(stem)], check=True)
    return Image.open(stem.with_suffix(".png")).convert("L")


@pytest.mark.parametrize(("page", "name"), PAGES.items(), ids=PAGES.values())
def test_page_matches_its_golden_image(built, tmp_path, request, page, name):
    image = render_page(built.booklet, page, tmp_path / name)
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
