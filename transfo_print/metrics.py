"""Text widths from the vendored fonts' own advance widths.

Used where the layout must decide before the layout engine runs (how many times the ticker
fits, what size a long title is set at): the advances are the font's, so the answer does not
depend on the text-shaping library's version. A safety allowance covers kerning.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .geometry import MM_PER_PT
from .paths import FONTS

SAFETY = 1.04  # kerning and rounding in the engine never add more than this
FIT_STEP_PT = 0.5  # `fit` tries sizes this far apart

# The font files behind the stylesheet's families (layouts/drawing/page.css).
LETTERING = "osifont.ttf"
FALLBACK = "DejaVuSans.ttf"


@cache
def _advances(name: str) -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont

    with TTFont(Path(FONTS) / name, lazy=True) as font:  # closes the file it reads from
        metrics = font["hmtx"]
        widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, font["head"].unitsPerEm


def width_mm(text: str, size_pt: float, font: str = LETTERING, tracking_em: float = 0) -> float:
    """The width of `text` set on one line, in mm (characters the font lacks are measured
    in the fallback font, as the stylesheet's font stack does)."""
    total = 0.0
    for char in text:
        for name in (font, FALLBACK):
            widths, units = _advances(name)
            if ord(char) in widths:
                total += widths[ord(char)] / units + tracking_em
                break
        else:
            total += 0.6 + tracking_em
    return total * size_pt * MM_PER_PT * SAFETY


def fit(text: str, width: float, largest: float, smallest: float, font: str = LETTERING,
        tracking_em: float = 0, lines: int = 2) -> tuple[float, list[str]]:
    """The largest size (in FIT_STEP_PT steps) at which `text` fits `width` mm on one line, or
    else (if `lines` is 2 or more) split at a space into two balanced lines; returns (size,
    lines). If two lines are still too wide at the smallest size, and `lines` allows, three.
    At the smallest size the text may still be too wide: the caller's box wraps it."""
    words = text.split() or [""]
    size = largest
    while True:
        one = " ".join(words)
        if width_mm(one, size, font, tracking_em) <= width:
            return size, [one]
        if lines < 2:
            if size <= smallest:
                return size, [one]
            size = max(smallest, size - FIT_STEP_PT)
            continue
        def measure(t, s=size):
            return width_mm(t, s, font, tracking_em)
        two = _two_lines(words, measure)
        if max(measure(line) for line in two) <= width:
            return size, two
        if size <= smallest:
            return size, two if lines < 3 or len(words) < 3 else _three_lines(words, measure)
        size = max(smallest, size - FIT_STEP_PT)


def _three_lines(words: list[str], measure) -> list[str]:
    """`words` in three lines whose longest is as short as can be."""
    from itertools import combinations

    def longest(cuts):
        a, b = cuts
        return max(measure(" ".join(part)) for part in (words[:a], words[a:b], words[b:]))

    a, b = min(combinations(range(1, len(words)), 2), key=longest)
    return [" ".join(words[:a]), " ".join(words[a:b]), " ".join(words[b:])]


def _two_lines(words: list[str], measure) -> list[str]:
    """`words` in two lines whose longer is as short as can be (widths are additive, so
    one pass over the break points is enough)."""
    if len(words) < 2:
        return [" ".join(words)]
    space = measure(" ")
    widths = [measure(w) for w in words]
    total = sum(widths) + space * (len(words) - 1)
    best, head = None, 0.0
    for cut in range(1, len(words)):
        head += widths[cut - 1] + (space if cut > 1 else 0)
        longest = max(head, total - head - space)
        if best is None or longest < best[0]:
            best = (longest, cut)
    cut = best[1]
    return [" ".join(words[:cut]), " ".join(words[cut:])]
