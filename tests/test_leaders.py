"""Leader dots, measured on the printed page: whole dots as heavy as a full stop, standing
on the baseline of the entry they lead to its page number."""

from __future__ import annotations

import re
import subprocess

import pdfplumber
from PIL import Image

from transfo_print.geometry import LEADER_DOT, LEADER_PITCH, PAPERS

DPI = 600
MM = DPI / 25.4  # pixels per millimetre
PT = 25.4 / 72  # millimetres per point


FOLIO = re.compile(r"\d\d\.\d+|[ivxl]+")


def leader_rooms(pdf) -> tuple[list[tuple[float, float, float]], float]:
    """(x0, x1, baseline) in points of the room between each contents entry and its folio
    (a word set more than 4 mm after the previous one, above the title block), and the
    page height."""
    with pdfplumber.open(pdf) as document:
        page = document.pages[1]
        above_title_block = PAPERS["a4"].title_block[1] / PT
        words = page.extract_words(return_chars=True)
        rooms = []
        for before, after in zip(words, words[1:], strict=False):
            baseline = after["chars"][0]["matrix"][5]
            same_line = abs(before["chars"][-1]["matrix"][5] - baseline) < 0.5
            if (same_line and after["bottom"] < above_title_block
                    and after["x0"] - before["x1"] > 4 / PT and FOLIO.fullmatch(after["text"])):
                rooms.append((before["x1"], after["x0"], baseline))
        return rooms, float(page.height)


def dots_in(strip: Image.Image) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1) of the dark marks in a strip, column runs joined."""
    width, height = strip.size
    pixels = strip.load()
    dark_columns = [[y for y in range(height) if pixels[x, y] < 128] for x in range(width)]
    marks, start = [], None
    for x, column in enumerate([*dark_columns, []]):
        if column and start is None:
            start = x
        elif not column and start is not None:
            ys = [y for c in dark_columns[start:x] for y in c]
            marks.append((start, min(ys), x, max(ys) + 1))
            start = None
    return marks


def test_leader_dots_are_whole_dots_on_the_baseline(mini, tmp_path):
    rows, page_height = leader_rooms(mini.booklet)
    assert len(rows) >= 4, "the contents page has entries with folios"
    picture = tmp_path / "contents"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "2", "-l", "2",
                    "-singlefile", str(mini.booklet), str(picture)], check=True)
    image = Image.open(f"{picture}.png").convert("L")
    for x0, x1, baseline in rows:
        # from 1 mm above the dots to 1 mm under the baseline, the label and folio left out
        top = (page_height - baseline) * PT * MM - (LEADER_DOT + 1) * MM
        box = (round(x0 * PT * MM + MM), round(top), round(x1 * PT * MM - MM),
               round(top + (LEADER_DOT + 2) * MM))
        marks = dots_in(image.crop(box))
        room = (box[2] - box[0]) / MM
        assert len(marks) >= room / LEADER_PITCH - 2, (
            f"{len(marks)} dots in {room:.1f} mm at baseline {baseline:.1f} pt")
        whole = [m for m in marks if 0 < m[0] and m[2] < box[2] - box[0]]  # not cut by the crop
        for mx0, my0, mx1, my1 in whole:
            width, depth = (mx1 - mx0) / MM, (my1 - my0) / MM
            assert abs(width - LEADER_DOT) < 0.1 and abs(depth - LEADER_DOT) < 0.1, (
                f"a leader dot measures {width:.2f} x {depth:.2f} mm")
            foot = (top + my1) / MM  # mm from the page top
            line = (page_height - baseline) * PT
            assert abs(foot - line) < 0.1, f"a dot stands at {foot:.2f} mm, the line at {line:.2f}"
