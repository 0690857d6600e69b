"""The drawing sheet's geometry: every dimension of the page, declared once.

Lengths are in millimetres, type sizes in points. The stylesheet reads them as custom
properties written by `layouts/drawing/paper.css.j2`, the templates and the Python read
them from here, and the layout tests measure the PDFs against them: change a number here
and everything that depends on it moves.
"""

from __future__ import annotations

from dataclasses import dataclass

# Units: points (PDF and CSS, 1/72 in) and CSS pixels (1/96 in) against millimetres.
MM_PER_INCH = 25.4
MM_PER_PT = MM_PER_INCH / 72
PT_PER_MM = 72 / MM_PER_INCH
MM_PER_PX = MM_PER_INCH / 96

# Line weights (ISO 128): the frame and heavy rules, thin rules, hairlines.
FRAME_LINE = 0.7
THIN_LINE = 0.35
HAIR_LINE = 0.18

ZONE_STRIP = 5  # the grid reference zones, a strip outside the frame line
ZONE_FIELD = 50  # grid field length, counted outward from the centring marks
# Grid letters skip I and O (ISO 5457), so they are never read as 1 and 0.
ZONE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
ZONE_LABEL_PT = 8.5
CENTRING_REACH = 5  # how far the centring marks run inside the frame
CLEARANCE = 2  # the least room between text and a mark or a rule
GRADUATION = 100  # length of the metric scale under the frame

# The heading band across the top of the frame: the ticker row is exactly as deep as the
# centring mark reaches, and leaves a gap around it; the meta row sits under it.
TICKER_DEPTH = CENTRING_REACH
TICKER_GAP = 8  # the ticker stops this far across the top centring mark
TICKER_PT = 5.2
TICKER_TRACKING = 0.06  # em
TICKER_SPACING = 4  # least room between two repeats of the ticker
BAND_META_DEPTH = 9
BAND_DEPTH = TICKER_DEPTH + BAND_META_DEPTH

# Leader dots, as heavy as a full stop of the text they join, two to three an em apart.
LEADER_DOT = 0.45
LEADER_PITCH = 1.6
WRAPPED_LEADER = 5 * LEADER_PITCH  # the dots beside a name that wraps (page.css .wraps)

BODY_GAP_TOP = 7  # from the band's rule to the text: room for the "continued" line
BODY_GAP_BOTTOM = 5  # from the text to the title block
PHOTO_WIDTH = 70  # photos are printed this wide; their resolution is checked against it
QR_SIZE = 22  # a video's QR code, printed beside its link
PRINT_MIN_PPI = 150  # a photo under this many pixels an inch at its printed size prints soft
# A photo is at most this share of a sheet's text area tall, a taller one set narrower in
# proportion (page.css), so that it never runs over the title block or off the page: the
# rest is room for its caption, which stays with it, and for the two lines of the paragraph
# it is kept with. On A5, the shortest text area (138.5 mm), that is 104 mm, a 3:4 portrait
# photo at its full 70 mm, and a quarter left is about eight lines of caption; on A4 and A3,
# 166 mm.
PHOTO_HEIGHT_SHARE = 3 / 4
SUPERIOR_EM = 0.7  # superior letters (ordinals), of the text they stand in
SMALL_TEXT_EM = 0.9  # notes, captions and roles (page.css: var(--small-text))

# Workshop cards (cards.py): A6, four to an A4 sheet printed duplex and cut on the marks.
CARD_SHEET = (210, 297)
CARD_PADDING = 11  # the text from the card's edges: the crop marks end inside it
CARD_FOOT = 9  # the foot line's baseline box from the card's bottom edge
CARD_MARK_EDGE = 5  # the crop marks start this far in from the paper's edge, where an
CARD_MARK = 5  # office printer prints, and run this long
CARD_CROSS = 4  # the arms of the cross where the two cuts meet
CARD_MARK_LINE = 0.25


def card_drawing() -> dict:
    """The card sheet's size, a card's, and its crop marks as SVG path data (mm)."""
    width, height = CARD_SHEET
    cx, cy, edge, mark, arm = width / 2, height / 2, CARD_MARK_EDGE, CARD_MARK, CARD_CROSS
    return {
        "sheet": CARD_SHEET, "card": (cx, cy),
        "marks": f"M{cx:g} {edge}v{mark}M{cx:g} {height - edge - mark}v{mark}"
                 f"M{edge} {cy:g}h{mark}M{width - edge - mark} {cy:g}h{mark}"
                 f"M{cx - arm:g} {cy:g}h{2 * arm}M{cx:g} {cy - arm:g}v{2 * arm}",
        "css": {"--card-width": f"{cx:g}mm", "--card-height": f"{cy:g}mm",
                "--card-padding": f"{CARD_PADDING}mm", "--card-foot": f"{CARD_FOOT}mm"},
    }


# A key plan (a whole drawing with one part picked out, as each sheet's Fig.cs): the drawing
# in fine lines, the part solid black in a heavy outline, drawn over it, so that the part is
# found at a glance. The weights are those of a drawing printed KEY_PLAN_WIDTH wide (the A4
# sheet's); they are given in the drawing's units, so they grow with a larger print (A3, cards).
KEY_PLAN_WIDTH = 92
KEY_PLAN_LINE = HAIR_LINE
KEY_PLAN_PART_LINE = FRAME_LINE


# A sheet whose pages would be left too empty is set a step denser or looser, within
# FIT_STEPS steps (a paper may allow more); each step changes the body size, the leading
# and the vertical spacing.
FIT_STEPS = 3
FIT_SIZE = 0.1  # pt, for a body of about 9 pt; a paper with larger type takes larger steps
FIT_LEADING = 0.02  # share of the leading
FIT_SPACE = 0.12  # share of the spacing between blocks

# The front matter of a landscape sheet (A3): on the cover, the title large across the
# left two thirds of the upper half (two lines of the largest size fit it) and the sheets
# in the lower half, in a grid of four columns, each with its lead while they fill at most
# two rows (titles only beyond, 20 sheets in five); the contents in two columns.
LANDSCAPE_COVER_TITLE_SHARE = 2 / 3
LANDSCAPE_COVER_TITLE_PT = (96, 28)
LANDSCAPE_COVER_COLUMNS = 4
LANDSCAPE_COVER_FULL_ROWS = 2
LANDSCAPE_CONTENTS_COLUMNS = 2


@dataclass(frozen=True)
class TitleBlockCell:
    """One field of the title block: its place (column and row edge indices) and its name."""

    name: str
    column: tuple[int, int]  # first and last+1 column edge index
    row: tuple[int, int]


# ISO 7200's fields: legal owner, document type, language, revision and date of issue on
# the top row; creator, title, identification number, sheet and page below.
TITLE_BLOCK_CELLS = (
    TitleBlockCell("owner", (0, 1), (0, 1)),
    TitleBlockCell("type", (1, 2), (0, 1)),
    TitleBlockCell("language", (2, 3), (0, 1)),
    TitleBlockCell("revision", (3, 4), (0, 1)),
    TitleBlockCell("date", (4, 6), (0, 1)),
    TitleBlockCell("creator", (0, 1), (1, 2)),
    TitleBlockCell("publication", (0, 1), (2, 3)),
    TitleBlockCell("title", (1, 4), (1, 3)),
    TitleBlockCell("number", (4, 6), (1, 2)),
    TitleBlockCell("sheet", (4, 5), (2, 3)),
    TitleBlockCell("page", (5, 6), (2, 3)),
)


@dataclass(frozen=True)
class TitleBlock:
    """A title block in the frame's bottom right corner: its size, its column and row
    edges from its top left corner, and its type. The cells are placed by these numbers,
    the rules drawn on them."""

    width: float
    depth: float
    columns: tuple[float, ...]
    rows: tuple[float, ...]
    label_pt: float
    value_pt: float
    title_pt: tuple[float, float]  # the title's largest size, and the least it shrinks to
    least_pt: float  # a value too long for its cell is set smaller, down to this
    padding: float = 1.2  # text from the rules around it
    title_lines: int = 2  # the most lines a long title is set on, at its least size
    title_leading: float = 1.12  # from one line of the title to the next, in ems
    cells: tuple[TitleBlockCell, ...] = TITLE_BLOCK_CELLS

    @property
    def label_depth(self) -> float:
        """A cell's label line (line height 1.2, as page.css sets it)."""
        return self.label_pt * 1.2 * MM_PER_PT

    @property
    def value_top(self) -> float:
        """Where a cell's value starts, from the cell's top."""
        return self.padding + self.label_depth + 0.6

    def box(self, name: str) -> tuple[float, float, float, float]:
        """x, y, width, height of the cell `name`, from the block's top left corner."""
        cell = next(c for c in self.cells if c.name == name)
        x0, x1 = (self.columns[i] for i in cell.column)
        y0, y1 = (self.rows[i] for i in cell.row)
        return (x0, y0, x1 - x0, y1 - y0)

    def rules(self) -> list[tuple[float, float, float, float]]:
        """The inner rules, as (x1, y1, x2, y2) segments: each cell's right and bottom
        edges that lie inside the block."""
        segments = set()
        for cell in self.cells:
            x, y, w, h = self.box(cell.name)
            if x + w < self.width:
                segments.add((x + w, y, x + w, y + h))
            if y + h < self.depth:
                segments.add((x, y + h, x + w, y + h))
        return sorted(segments)


# ISO 7200's title block, 180 x 30 mm.
ISO_7200 = TitleBlock(180, 30, columns=(0, 42, 100, 117, 134, 158, 180), rows=(0, 10, 20, 30),
                      label_pt=5.5, value_pt=8.5, title_pt=(13, 7), least_pt=4)
# The same fields on an A5 frame, 128 mm wide: the whole width of the frame, rows as deep
# as a 6 pt label over an 8 pt value needs. Each cell is as wide as its longest label
# (French and English) and usual value need at 6 to 8 pt: the document type, the date
# ("04 SEPTEMBER 2020") and the identification number get the room; a title of 100
# characters takes three lines at the least size.
A5_TITLE_BLOCK = TitleBlock(128, 25.5, columns=(0, 30, 75, 87, 96, 114, 128),
                            rows=(0, 8.5, 17, 25.5), label_pt=6, value_pt=8,
                            title_pt=(11, 6.5), least_pt=6, title_lines=3)


@dataclass(frozen=True)
class Density:
    body_pt: float
    leading: float
    space: float


@dataclass(frozen=True)
class Paper:
    """A paper size, its ISO 5457 frame and the text composition it carries."""

    name: str
    width: float
    height: float
    columns: int  # text columns of the body
    column_gap: float
    body_pt: float  # body text size; headings and notes are sized from it
    leading: float  # line height, as a multiple of the body size
    filing_margin: float = 20  # left border, for binding
    border: float = 10  # the other three borders
    inset: float = CENTRING_REACH + CLEARANCE  # text from the frame's sides
    fit_size: float = FIT_SIZE  # how much a density step changes the body size
    fit_steps: int = FIT_STEPS  # how many steps a sheet may be set denser or looser
    # The sheets' text in a single column narrower than the frame, centred in it (None: the
    # frame's width less the insets, in `columns` columns). The front and back matter (a
    # cover, a contents list, tables) are set across the frame either way.
    text_width: float | None = None
    cover_full_entries: int = 8  # the cover lists each sheet with its lead up to this many
    contents_parts_per_row: int = 2  # a sheet's parts in the contents: two a row, or one
    # The contents' sheet titles, all of one size: the largest at which each fits its line,
    # but not under this; a title too long for it wraps (typeset.contents_title_size).
    contents_title_least_pt: float = 10
    least_pt: float | None = None  # the smallest type the page may carry, if it has a floor
    # The detail drawing's share of the figures' row, the whole drawing taking the rest.
    # With a narrow text column the row runs across the frame less the insets.
    figure_detail_share: float = 0.42
    title_block_spec: TitleBlock = ISO_7200
    ticker_pt: float = TICKER_PT

    def density(self, step: int) -> Density:
        """The body's size, leading and spacing, a `step` denser (< 0) or looser (> 0)."""
        return Density(round(self.body_pt + self.fit_size * step, 2),
                       round(self.leading * (1 + FIT_LEADING * step), 3),
                       round(1 + FIT_SPACE * step, 3))

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def superior_em(self) -> float:
        """The size of superior letters (ordinals), in em: 0.7, or as much more as keeps
        them at `least_pt` in the smallest text that carries them (notes and captions, at
        SMALL_TEXT_EM of the densest body)."""
        densest = self.density(-self.fit_steps).body_pt * SMALL_TEXT_EM
        return max(SUPERIOR_EM, round((self.least_pt or 0) / densest, 3))

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the frame."""
        return (self.filing_margin, self.border,
                self.width - self.filing_margin - self.border, self.height - 2 * self.border)

    @property
    def title_block(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the title block: the frame's bottom right corner."""
        x, y, w, h = self.frame
        spec = self.title_block_spec
        return (x + w - spec.width, y + h - spec.depth, spec.width, spec.depth)

    @property
    def matter_body(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the front and back matter's text area: the frame less
        the band, the title block and the insets."""
        x, y, w, h = self.frame
        top = y + BAND_DEPTH + BODY_GAP_TOP
        bottom = self.title_block[1] - BODY_GAP_BOTTOM
        return (x + self.inset, top, w - 2 * self.inset, bottom - top)

    @property
    def body(self) -> tuple[float, float, float, float]:
        """x, y, width, height of a sheet's text area (the CSS page area)."""
        x, y, w, h = self.matter_body
        if self.text_width is None:
            return (x, y, w, h)
        return (x + (w - self.text_width) / 2, y, self.text_width, h)

    @property
    def column_width(self) -> float:
        return (self.body[2] - (self.columns - 1) * self.column_gap) / self.columns

    @property
    def centre(self) -> tuple[float, float]:
        """Where the centring marks are: on the trimmed sheet's axes of symmetry (ISO 5457),
        not the frame's, which the filing margin moves 5 mm right of the sheet's."""
        return (self.width / 2, self.height / 2)

    def zones(self, start: float, length: float, centre: float) -> list[tuple[float, float]]:
        """Grid fields along one side of the frame, from `start` for `length`: 50 mm
        counted outward from the centring mark at `centre`, the outermost cut short."""
        cuts = {start, centre, start + length}
        step = ZONE_FIELD
        while centre - step > start or centre + step < start + length:
            cuts.update(c for c in (centre - step, centre + step) if start < c < start + length)
            step += ZONE_FIELD
        edges = sorted(cuts)
        return list(zip(edges, edges[1:], strict=False))

    def frame_drawing(self, bleed: float = 0) -> dict:
        """The ISO 5457 frame, ready to draw (mm from the page's top left corner; SVG path
        data): the zone strip's and the frame's rectangles, the zones' ticks and labels,
        the centring marks (run on into a `bleed`), the 100 mm scale, the orientation
        triangles."""
        fx, fy, fw, fh = self.frame
        cx, cy = self.centre
        strip, reach = ZONE_STRIP, CENTRING_REACH
        columns, rows = self.zones(fx, fw, cx), self.zones(fy, fh, cy)
        tbx, _, tbw, _ = self.title_block
        # Where the title block spans the bottom centring mark, the mark stops at the frame.
        bottom_reach = 0 if tbx < cx < tbx + tbw else reach
        # millimetre ticks, longer every 5 and 10, centred on the bottom centring mark
        gx, gy = cx - GRADUATION / 2, fy + fh + strip
        ticks = "".join(
            f"M{gx + mm} {gy + 1.5}v{2 if mm % 10 == 0 else 1.3 if mm % 5 == 0 else 0.8}"
            for mm in range(0, GRADUATION + 1))
        return {
            "strip": (fx - strip, fy - strip, fw + 2 * strip, fh + 2 * strip),
            "frame": (fx, fy, fw, fh),
            "zone_ticks": "".join(
                [f"M{a} {fy - strip}V{fy}M{a} {fy + fh}V{fy + fh + strip}" for a, _ in columns[1:]]
                + [f"M{fx - strip} {a}H{fx}M{fx + fw} {a}H{fx + fw + strip}" for a, _ in rows[1:]]),
            "centring_marks": f"M{cx} {-bleed}V{fy + reach}M{cx} {fy + fh - bottom_reach}"
                              f"V{self.height + bleed}M{-bleed} {cy}H{fx + reach}"
                              f"M{fx + fw - reach} {cy}H{self.width + bleed}",
            "scale": f"M{gx} {gy + 1.5}H{gx + GRADUATION}" + ticks,
            # on the top and left centring marks, pointing at the drawing
            "triangles": [
                f"M {cx - 2.5} {fy - strip} L {cx + 2.5} {fy - strip} L {cx} {fy - 0.8} Z",
                f"M {fx - strip} {cy - 2.5} L {fx - strip} {cy + 2.5} L {fx - 0.8} {cy} Z"],
            # (left, top, width) of each label in the zone strip, and what it says
            "labels": [((a, top, b - a), str(n)) for n, (a, b) in enumerate(columns, 1)
                       for top in (fy - strip, fy + fh)]
                      + [((left, (a + b - strip) / 2, strip), ZONE_LETTERS[n])
                         for n, (a, b) in enumerate(rows) for left in (fx - strip, fx + fw)],
        }

    @property
    def ticker_halves(self) -> tuple[float, float]:
        """The widths of the band's two runs of ticker, left and right of the top centring
        mark, each stopping TICKER_GAP / 2 short of it."""
        x, _, w, _ = self.frame
        cx, _ = self.centre
        return (cx - x - TICKER_GAP / 2, x + w - cx - TICKER_GAP / 2)

    def margins(self, matter: bool = False) -> tuple[float, float, float, float]:
        """The CSS page margins (top, right, bottom, left) that make the text area of a
        sheet, or of the front and back matter."""
        x, y, w, h = self.matter_body if matter else self.body
        return (y, self.width - x - w, self.height - y - h, x)

    def css_variables(self) -> dict[str, str]:
        """The dimensions the stylesheet uses, as custom properties."""
        mm = {
            "frame-line": FRAME_LINE, "thin-line": THIN_LINE, "hair-line": HAIR_LINE,
            "band-depth": BAND_DEPTH, "ticker-depth": TICKER_DEPTH,
            "band-meta-depth": BAND_META_DEPTH, "clearance": CLEARANCE,
            "column-gap": self.column_gap, "photo-width": PHOTO_WIDTH, "qr-size": QR_SIZE,
            "photo-height": round(self.body[3] * PHOTO_HEIGHT_SHARE, 2),
            "title-block-padding": self.title_block_spec.padding,
        }
        pt = {
            "body-size": self.body_pt, "ticker-size": self.ticker_pt,
            "zone-label-size": ZONE_LABEL_PT,
            "title-block-label-size": self.title_block_spec.label_pt,
            "title-block-value-size": self.title_block_spec.value_pt,
        }
        variables = {f"--{k}": f"{v:g}mm" for k, v in mm.items()}
        variables.update({f"--{k}": f"{v:g}pt" for k, v in pt.items()})
        variables["--leading"] = f"{self.leading:g}"
        variables["--columns"] = str(self.columns)
        variables["--legend-width"] = "100%" if self.columns == 1 else "50%"
        variables["--ticker-tracking"] = f"{TICKER_TRACKING:g}em"
        variables["--small-text"] = f"{SMALL_TEXT_EM:g}em"
        return variables


DEFAULT_PAPER = "a4"  # the sheets handed out, and the booklet
PAPERS = {
    # Two columns of about 64 characters: a patent specification's page.
    "a4": Paper("a4", 210, 297, columns=2, column_gap=6, body_pt=9.25, leading=1.3),
    "letter": Paper("letter", 215.9, 279.4, columns=2, column_gap=6, body_pt=9.25,
                    leading=1.3),
    # A3 landscape is a wall poster, read from a step away: larger type, three columns,
    # density steps in proportion to the type, and one step more each way: a page holds
    # three columns of parts, so a short last part leaves more of it empty.
    "a3": Paper("a3", 420, 297, columns=3, column_gap=10, body_pt=14, leading=1.28,
                fit_size=0.15, fit_steps=4),
    # A5, the page of a saddle-stitched booklet (imposed two-up on A4 at full size). Its
    # pages are stapled on the fold, never punched, and fall left and right of the spine
    # in turn, so a 20 mm filing margin would only push the text outward on every other
    # page: 10 mm all round, which keeps the zone strip 5 mm clear of the trim (where an
    # office printer prints) and 20 mm of paper between the frames across the fold. One
    # column of about 66 characters at 9 pt, centred in the 128 mm frame; nothing is set
    # under 6 pt (ticker, title block, ordinals, and the codes of the detail drawings,
    # which the figures' width across the frame makes large enough). The cover lists the
    # sheets by title only, in two columns; the contents a sheet's parts one a row (two
    # would leave a dot or two of leader between a part and its folio).
    "a5": Paper("a5", 148, 210, columns=1, column_gap=0, body_pt=9, leading=1.3,
                filing_margin=10, text_width=80, title_block_spec=A5_TITLE_BLOCK,
                ticker_pt=6, cover_full_entries=0, least_pt=6, figure_detail_share=0.5,
                contents_parts_per_row=1, contents_title_least_pt=8),
}
