"""Typeset the model into HTML through the Jinja2 templates of a layout folder.

One HTML document per sheet (so each sheet is laid out once and its pages serve both the
sheet PDF and the booklet), one for the front matter and one for the back matter.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import __version__, geometry, metrics
from .diagnostics import ContentError, Problem
from .figures import compose
from .geometry import DEFAULT_PAPER, MM_PER_PT, MM_PER_PX, PAPERS
from .model import Book, BookSheet
from .paths import DEFAULT_LAYOUT
from .photos import as_printed, data_url
from .typography import typeset

# Parts in print order; the numbered ones get N°. SSS.PPP (sheet, part).
PARTS = ("hypothesis", "observations", "lessons", "challenges", "testimonials")
NUMBERED_PARTS = ("hypothesis", "observations", "lessons", "challenges")


# Titles are measured with the tracking they are set with (an em after each letter).
SHEET_TITLE_TRACKING = 0.03
COVER_TITLE_TRACKING = 0.06
CONTENTS_FOLIO_ROOM = 50  # mm kept for the sheet's label, the dots and the folio
# The contents' sizes, in the paper's body size: an A3's contents are set larger than an A4's.
CONTENTS_TITLE_EM = 1.2  # a sheet title's largest size
CONTENTS_NAME_EM = 0.95  # a part's name, at most: always smaller than the sheets' titles
CONTENTS_NUMBER_EM = 0.8  # a part's number ("N°. 001.002")
CONTENTS_NUMBER_GAP = 1.5  # mm from the widest number to the parts' names
# A word longer than this many characters (the data's longest is 17) may be broken anywhere
# in a table cell: a table is otherwise at least as wide as its longest word.
UNBROKEN_WORD = 30
BLEED_MM = 3  # print-shop variant: the bleed, and beyond it room for crop marks
MARK_ROOM_MM = 10


def document_date(issued: datetime.date) -> str:
    """The PDFs' creation and modification date: the publication's date, or the time
    SOURCE_DATE_EPOCH gives (the reproducible-builds convention), never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{issued.isoformat()}T00:00:00Z"


@dataclass(frozen=True)
class Font:
    name: str
    licence: str


# The fonts the layouts may use, all vendored in fonts/ with their licence files.
FONTS = (
    Font("osifont", "GPL 3 with font exception"),
    Font("EB Garamond", "SIL Open Font License 1.1"),
    Font("DejaVu Sans", "Bitstream Vera licence"),
)


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
# A text's last word, and what follows it (punctuation, closing quotes, spaces).
_LAST_WORD = re.compile(r"(\w[\w’'-]*)[^\w]*$")
_KEEP_WHOLE = '<span class="keep-whole">'  # page.css: not hyphenated
# What the engine may hyphenate (hyphenate-limit-chars, paper.css.j2): words of eight letters
# or more, so that short words and most names (Transfo, Région) stay whole, with three letters
# at least on either side of the break, so that a prefix may go ("pro-gramme", "per-sonnes").
HYPHENATION = (8, 3, 3)  # the shortest word, the fewest letters before the break, after it
HYPHENATED_WORD = HYPHENATION[0]
# The title block's cells that hold prose, typeset; the others hold codes and dates.
_PROSE_CELLS = frozenset({"owner", "type", "creator", "publication"})


@dataclass(frozen=True)
class Marks:
    """What a page's band and title block say (Typesetter.marks), in the PDFs and the web
    edition alike."""

    ticker: str
    band: list[tuple[str, bool]]  # each item, and whether it is one of the drawing's mentions
    number: str  # "N°. 001.001"
    sheet: str  # "02 / 07"


def sub_in_text(html: Markup, pattern: re.Pattern, replacement) -> Markup:
    """`html` with `pattern` replaced in its text, never in its tags (the HTML is the
    typesetter's own, from escaped data)."""
    pieces = _TAG_OR_TEXT.split(str(html))
    for index in range(0, len(pieces), 2):  # even pieces are text, odd ones tags
        pieces[index] = pattern.sub(replacement, pieces[index])
    return Markup("".join(pieces))


def last_word_whole(html: Markup) -> Markup:
    """`html`, a paragraph, with its last word kept from hyphenation: its end would be the
    paragraph's last line alone ("organisa-" / "tion."). Only a word the engine may break
    (HYPHENATED_WORD letters or more) is marked."""
    pieces = _TAG_OR_TEXT.split(str(html))
    for index in range(len(pieces) - 1 - (len(pieces) - 1) % 2, -1, -2):  # text, from the end
        match = _LAST_WORD.search(pieces[index])
        if match is None:
            continue
        if sum(char.isalpha() for char in match[1]) >= HYPHENATED_WORD:
            pieces[index] = (pieces[index][:match.start(1)] + _KEEP_WHOLE + match[1]
                             + "</span>" + pieces[index][match.end(1):])
        break
    return Markup("".join(pieces))


_WORD = re.compile(r"[^\W\d_][\w-]*")  # an apostrophe ends a word: d’|Occitanie
_AFTER_SENTENCE = re.compile(r"[.!?…]\s*[»”’)]?\s+[«“‘(]?\s*$")  # before a sentence's first word
# Languages that give every noun a capital: there a capital does not mark a name.
_NOUNS_CAPITALISED = frozenset({"de", "lb"})


def names_and_compounds_whole(html: Markup, language: str) -> Markup:
    """`html` with the words the engine may break (HYPHENATED_WORD letters or more) that
    usage keeps from hyphenation marked so: a compound, which breaks at its own hyphen only
    ("co-/construction", not "co-construc-/tion"), and a name ("Mul-house"), a word that
    starts with a capital unless it starts a sentence (not in German, where every noun has
    one)."""
    names = language.split("-")[0].lower() not in _NOUNS_CAPITALISED
    pieces = _TAG_OR_TEXT.split(str(html))
    tail, opened = "", False  # the last characters of the text so far; whether it has words
    for index in range(0, len(pieces), 2):  # even pieces are text, odd ones tags
        text = pieces[index]
        if index and pieces[index - 1] == _KEEP_WHOLE:  # kept whole already
            tail, opened = (tail + text)[-8:], True
            continue
        first = len(text) - len(text.lstrip())  # where the paragraph's first word may start
        kept, end = [], 0
        for word in _WORD.finditer(text):
            if sum(c.isalpha() for c in word[0]) < HYPHENATED_WORD:
                continue
            if "-" not in word[0]:
                if not (names and word[0][0].isupper()):
                    continue
                before = (tail + text[max(0, word.start() - 8):word.start()])[-8:]
                if (not opened and word.start() == first) or _AFTER_SENTENCE.search(before):
                    continue
            kept += [text[end:word.start()], _KEEP_WHOLE, word[0], "</span>"]
            end = word.end()
        pieces[index] = "".join(kept) + text[end:]
        tail, opened = (tail + text)[-8:], opened or bool(text.strip())
    return Markup("".join(pieces))


def keep_whole(html: Markup, words: frozenset[str]) -> Markup:
    """`html` with the given words kept from hyphenation."""
    if not words:
        return html
    alternatives = "|".join(re.escape(str(escape(w))) for w in sorted(words, key=len,
                                                                      reverse=True))
    pattern = re.compile(rf"(?<![\w&#])({alternatives})(?![\w’-])")
    return sub_in_text(html, pattern, _KEEP_WHOLE + r"\1</span>")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process. Each book loaded (every save under `watch`)
    makes a Typesetter with an environment of its own, which would otherwise compile every
    template again, in each of the processes that lay the sheet out (about 0.15 s each).
    A template whose file changed has another checksum, and is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


class _LayoutTemplate:
    """A template of the layout, rendered. One the layout lacks (a layout copied from an
    older version, an include misspelt) is a ContentError naming the layout's folder; a
    mistake in one (a name it does not know, `1/0`) names its file and line."""

    def __init__(self, get_template, name: str, layout: Path):
        self.get_template, self.name, self.layout = get_template, name, layout

    def render(self, **context) -> str:
        try:
            return self.get_template(self.name).render(**context)
        except jinja2.TemplateNotFound as error:
            raise ContentError([Problem(
                self.layout / str(error.name), 1, 1,
                f"template: the layout has no {error.name} (copy it from the layout "
                f"{DEFAULT_LAYOUT.name}/ of this version of transfo-print)")]) from None
        except Exception as error:  # noqa: BLE001 - a layout is the user's code
            where = _template_line(error)
            if where is None:  # not the template's doing
                raise
            message = getattr(error, "message", None) or str(error)
            raise ContentError([Problem(
                *where, 1, f"template: {type(error).__name__}: {message}")]) from None


def _template_line(error: Exception) -> tuple[Path, int] | None:
    """The template file and line an error was raised at: Jinja gives a template's frames
    in a traceback the template's own file name and line."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return Path(error.filename), error.lineno
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename), frame.lineno or 1
    return None


class Typesetter:
    def __init__(self, book: Book, layout: Path = DEFAULT_LAYOUT, paper: str = DEFAULT_PAPER,
                 press: bool = False, quote_breaks: bool = True):
        self.book = book
        self.layout = Path(layout)
        self.paper = PAPERS[paper]
        self.press = press
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.layout),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=_COMPILED,
        )
        language = book.publication.language
        self.typo = lambda text: typeset(text, language, quote_breaks)

        @jinja2.pass_context
        def typo_filter(context, text):
            return keep_whole(self.typo(text), context.get("keep_whole", frozenset()))

        @jinja2.pass_context
        def paragraph_filter(context, text):
            return names_and_compounds_whole(last_word_whole(typo_filter(context, text)),
                                             language)

        self.env.filters["typo"] = typo_filter
        # hyphenated text: its last word whole
        self.env.filters["paragraph"] = paragraph_filter
        self.env.globals.update(self._globals())

    @property
    def date_label(self) -> str:
        pub = self.book.publication
        return f"{pub.date.day:02d} {pub.labels.months[pub.date.month - 1]} {pub.date.year}"

    def _globals(self) -> dict:
        pub = self.book.publication
        labels = pub.labels
        return {
            "pub": pub,
            "labels": labels,
            "paper": self.paper,
            "geo": geometry,
            # the patent mentions' language, marked where it is not the publication's
            "mention_lang": Markup(f' lang="{escape(labels.mentions_language)}"')
            if labels.mentions_language != pub.language else "",
            "date_label": self.date_label,
            "version": __version__,
            "stamp": document_date(pub.date),
            "count": self.book.count,
            "parts": PARTS,
            "press": self.press,
            "bleed": BLEED_MM,
            "mark_room": MARK_ROOM_MM,
            "hyphenation": HYPHENATION,
        }

    # --- names shared by templates and the booklet stage ---------------------------------

    def sheet_label(self, entry: BookSheet) -> str:
        return self.book.publication.labels.sheet.format(
            number=f"{entry.sheet.number:02d}", count=f"{self.book.count:02d}"
        )

    @staticmethod
    def part_number(entry: BookSheet, part: str) -> str | None:
        if part not in NUMBERED_PARTS:
            return None
        return f"{entry.sheet.number:03d}.{NUMBERED_PARTS.index(part) + 1:03d}"

    @staticmethod
    def anchor(entry: BookSheet, part: str | None = None) -> str:
        """Element ids, unique across sheets so the combined booklet keeps them apart."""
        base = f"s{entry.sheet.number:02d}"
        return f"{base}-{part}" if part else base

    def drawing(self, entry: BookSheet, index: int, prefix: str = "") -> Markup:
        figure = entry.sheet.figures[index]
        prefix = f"{prefix}{self.anchor(entry)}-f{index}-"
        return compose(figure, self.book.folder, entry.sheet.legend, prefix)

    def photo_url(self, image: str) -> str:
        """The photo as the layout engine should fetch it: the file, or a copy in sRGB or
        in grey (photos.as_printed)."""
        path = self.book.folder / image
        printed = as_printed(path, self.book.folder, self.book.publication.photos == "grey")
        if printed is None:
            return path.resolve().as_uri()  # the fetcher reads it, under the same rule
        return data_url(printed)

    @staticmethod
    def qr(address: str) -> Markup:
        """A QR code of `address`, as vector paths."""
        import segno

        code = segno.make(address, error="m")
        return Markup(code.svg_inline(scale=1, border=0, omitsize=True, svgclass="qr",
                                      title=address))

    def part_title(self, part: str) -> str:
        return getattr(self.book.publication.labels, part)

    # --- furniture: the band and the title block, prepared for the templates ------------

    def band(self, ticker: str, items: list[str]) -> dict:
        """The band's ticker in its two runs either side of the top centring mark (`widths`),
        each holding the whole repeats the narrower one holds, so that the sides match;
        and the band's items."""
        widths = self.paper.ticker_halves
        narrower = min(widths)
        text = ticker.upper()
        size, tracking = self.paper.ticker_pt, geometry.TICKER_TRACKING
        while metrics.width_mm(text, size, tracking_em=tracking) > narrower and len(text) > 1:
            text = text[:-2].rstrip() + "…"  # a title longer than a run is cut
        one = metrics.width_mm(text, size, tracking_em=tracking)
        dot = metrics.width_mm("·", size, tracking_em=tracking)
        room = geometry.TICKER_SPACING
        repeats = max(1, int((narrower + room) // (one + 2 * room + dot)))
        return {"ticker": text, "repeats": repeats, "widths": widths, "items": items}

    def marks(self, entry: BookSheet | None) -> Marks:
        """What the band and the title block say on a sheet's pages, or (None) on the front
        and back matter: the publication's own sheet, numbered 00."""
        pub = self.book.publication
        labels = pub.labels
        if entry is None:
            return Marks(pub.title, [(labels.no_model, True), (pub.publisher, False),
                                     (self.date_label, False)],
                         f"{labels.number} 000.000", f"00 / {self.book.count:02d}")
        sheet = entry.sheet
        number = f"{labels.number} {self.part_number(entry, 'hypothesis')}"
        return Marks(sheet.ticker or sheet.title,
                     [(labels.no_model, True), (self.sheet_label(entry), True),
                      (number, False), (self.date_label, False)],
                     number, f"{sheet.number:02d} / {self.book.count:02d}")

    def title_block_values(self, title: str, marks: Marks) -> list[tuple[str, str, str]]:
        """The title block's cells, name, label and value, in the order of the drawing
        sheet's cells (geometry.TITLE_BLOCK_CELLS); the page's number is left out (the page
        prints it)."""
        pub = self.book.publication
        values = {
            "owner": pub.publisher, "type": pub.document_type, "language": pub.language,
            "revision": pub.revision, "date": self.date_label,
            "creator": pub.creator or pub.publisher, "publication": pub.title,
            "title": title, "number": marks.number, "sheet": marks.sheet,
        }
        names = pub.labels.title_block
        return [(cell.name, getattr(names, cell.name), values[cell.name])
                for cell in geometry.TITLE_BLOCK_CELLS if cell.name in values]

    def title_block(self, title: str, marks: Marks) -> dict:
        """Every cell of the title block with its label and value, placed; the title's fit."""
        values = {name: self.typo(value) if name in _PROSE_CELLS else value
                  for name, _, value in self.title_block_values(title, marks)}
        values |= {"title": "", "page": ""}  # the title is set below, the page by the page
        names = self.book.publication.labels.title_block
        spec = self.paper.title_block_spec
        pad = spec.padding
        cells = []
        for cell in spec.cells:
            # A value longer than its cell is set smaller, never over the cell's rules.
            x, y, w, h = spec.box(cell.name)
            plain = _TAG_OR_TEXT.sub("", str(values[cell.name]))
            plain = plain.upper() if cell.name == "date" else plain
            size, _ = metrics.fit(plain, w - 2 * pad, spec.value_pt, spec.least_pt, lines=1)
            # left, top and width (mm from the block's corner) of the label and the value
            cells.append({"name": cell.name, "label": getattr(names, cell.name),
                          "label_at": (x + pad, y + pad, w - 2 * pad),
                          "value": values[cell.name], "size": size,
                          "value_at": (x + pad, y + spec.value_top, w - 2 * pad),
                          "wraps": size <= spec.least_pt})
        # The title, line by line (the engine keeps only the first line of a box set there),
        # centred under its label.
        x, y, w, h = spec.box("title")
        largest, smallest = spec.title_pt
        size, lines = metrics.fit(title.upper(), w - 2 * pad - 1, largest, smallest,
                                  lines=spec.title_lines)
        pitch = size * spec.title_leading * MM_PER_PT
        below_label = h - 2 * pad - spec.label_depth
        top = y + pad + spec.label_depth + (below_label - len(lines) * pitch) / 2
        title = {"size": size, "wraps": size <= smallest,
                 "lines": [(line, (x + pad, top + n * pitch, w - 2 * pad))
                           for n, line in enumerate(lines)]}
        return {"cells": cells, "title": title}

    def folio_box(self) -> tuple[float, float, float, float]:
        """Where the page number is printed: in the page cell, under its label."""
        spec = self.paper.title_block_spec
        x, y, w, h = spec.box("page")
        tx, ty, _, _ = self.paper.title_block
        pad, top = spec.padding, spec.value_top
        return (tx + x + pad, ty + y + top, w - 2 * pad, h - pad - top)

    def column_of(self, x_px: float) -> int:
        """The text column a line starting at x (CSS px from the page's left) is in."""
        bx, _, _, _ = self.paper.body
        pitch = self.paper.column_width + self.paper.column_gap
        return max(0, int((x_px * MM_PER_PX - bx + 1) // pitch))

    def fit_heading(self, text: str, largest: float, smallest: float, tracking: float,
                    width: float | None = None) -> dict:
        """A heading's size, lines and tracking, so that a long title wraps where it reads
        well; within `width` mm, or else the text area's width."""
        size, lines = metrics.fit(text.upper(), width or self.paper.body[2], largest,
                                  smallest, tracking_em=tracking)
        return {"size": size, "lines": lines, "tracking": tracking}

    @property
    def contents_width(self) -> float:
        """The width of a sheet's entry in the contents: a landscape sheet sets them in
        columns."""
        if not self.paper.landscape:
            return self.paper.matter_body[2]
        columns = geometry.LANDSCAPE_CONTENTS_COLUMNS
        width = (self.paper.matter_body[2] - (columns - 1) * self.paper.column_gap) / columns
        return int(width * 10) / 10  # a row of entries never a hair too wide for the line

    @staticmethod
    def has_unbroken_word(text: str) -> bool:
        """Whether `text` holds a word a table's cell should break anywhere (UNBROKEN_WORD)."""
        return any(len(word) > UNBROKEN_WORD for word in text.split())

    @functools.cached_property
    def contents_title_size(self) -> float:
        """One size for the sheet titles of the contents: the largest at which each fits on
        its line beside its folio, down to the paper's least, under which a long title
        wraps rather than setting every other one smaller (titles of one size read as a
        list; each at its own largest, they jumped from 8 to 11 pt down an A5 page)."""
        room = self.contents_width - CONTENTS_FOLIO_ROOM
        largest = round(CONTENTS_TITLE_EM * self.paper.body_pt, 1)
        least = self.paper.contents_title_least_pt
        return min((metrics.fit(entry.sheet.title.upper(), room, largest, least, lines=1)[0]
                    for entry in self.book.sheets), default=largest)

    @property
    def contents_name_pt(self) -> float:
        """The parts' names under a sheet's title in the contents: a step under the titles
        where these are set small to fit (on A5 they would have been the larger)."""
        return round(min(CONTENTS_NAME_EM * self.paper.body_pt,
                         self.contents_title_size - metrics.FIT_STEP_PT), 2)

    @property
    def contents_number_pt(self) -> float:
        return round(CONTENTS_NUMBER_EM * self.paper.body_pt, 1)

    @functools.cached_property
    def contents_number_width(self) -> float:
        """The column of the parts' numbers in the contents, in mm: the widest number and a
        gap, so that every part's name starts at one place, a part without a number
        (testimonials) too."""
        label = self.book.publication.labels.number
        return max((metrics.width_mm(f"{label} {self.part_number(entry, part)}",
                                     self.contents_number_pt)
                    for entry in self.book.sheets for part in NUMBERED_PARTS),
                   default=0) + CONTENTS_NUMBER_GAP

    def contents_title_wraps(self, title: str) -> bool:
        """Whether a sheet title of the contents must wrap, too long for its line even at
        the least size (a narrow page's contents)."""
        room = self.contents_width - CONTENTS_FOLIO_ROOM
        return metrics.width_mm(title.upper(), self.contents_title_size) > room

    def _furniture(self, marks: Marks, title: str, folio_prefix: str, folio_style: str
                   ) -> dict:
        return {
            # the drawing's mentions as they are; the rest typeset ("La 27ᵉ Région")
            "band": self.band(marks.ticker, [text if mention else self.typo(text)
                                             for text, mention in marks.band]),
            "tb": self.title_block(title, marks),
            "tb_rules": self.paper.title_block_spec.rules(),
            "folio_box": self.folio_box(),
            "folio_prefix": folio_prefix, "folio_style": folio_style,
        }

    def _matter_furniture(self) -> dict:
        """Front and back matter are the publication's own sheet, numbered 00."""
        return self._furniture(self.marks(None), self.book.publication.title, "",
                               "lower-roman") | {"matter": True}

    # --- documents ------------------------------------------------------------------------

    def template(self, name: str) -> _LayoutTemplate:
        return _LayoutTemplate(self.env.get_template, name, self.layout)

    def compile_templates(self) -> None:
        """Every template of the layout compiled, before the build forks the processes that
        use them: compiled once, not once in each."""
        for name in self.env.list_templates(extensions=["j2"]):
            self.env.get_template(name)

    def sheet_html(self, entry: BookSheet, keep_whole: frozenset[str] = frozenset(),
                   step: int = 0) -> str:
        """The sheet's HTML; the words of `keep_whole` are never hyphenated; `step` sets
        the body denser (< 0) or looser (> 0) to fill its pages."""
        sheet = entry.sheet
        furniture = self._furniture(self.marks(entry), sheet.title, f"{sheet.number:02d}.",
                                    "")
        return self.template("sheet.html.j2").render(
            entry=entry, sheet=sheet, ts=self, doc_title=self.sheet_label(entry),
            heading=self.fit_heading(sheet.title, 20, 13, SHEET_TITLE_TRACKING),
            keep_whole=keep_whole, density=self.paper.density(step), **furniture,
        )

    @property
    def cover_centred(self) -> bool:
        """Whether the cover is set in the middle of its page: a portrait one of titles
        only (many sheets), which would leave the lower part of the page empty."""
        return not self.paper.landscape and self.book.count > self.paper.cover_full_entries

    def matter_html(self, contents: list[tuple[BookSheet, dict[str, str]]],
                    engine_version: str, centred: bool = True, cover_only: bool = False
                    ) -> str:
        """The front matter (cover and contents) and the back matter (parts list and
        colophon), for the sheets of `contents` with the folio where each part starts; a
        portrait cover of titles only `centred` on its page (not when it runs over a page:
        each of its pages then starts at the top). With `cover_only`, the cover alone."""
        pub = self.book.publication
        if self.paper.landscape:
            cover = self.fit_heading(
                pub.title, *geometry.LANDSCAPE_COVER_TITLE_PT, COVER_TITLE_TRACKING,
                width=self.paper.matter_body[2] * geometry.LANDSCAPE_COVER_TITLE_SHARE)
            full = geometry.LANDSCAPE_COVER_COLUMNS * geometry.LANDSCAPE_COVER_FULL_ROWS
        else:
            cover = self.fit_heading(pub.title, 44, 22, COVER_TITLE_TRACKING,
                                     self.paper.matter_body[2])
            full = self.paper.cover_full_entries
        cover |= {"compact": self.book.count > full, "landscape": self.paper.landscape,
                  "centred": centred and self.cover_centred}
        parts_list = [(entry, item, folios[""]) for entry, folios in contents
                      for item in entry.sheet.legend]
        return self.template("matter.html.j2").render(
            ts=self, contents=contents, cover=cover, parts_list=parts_list, fonts=FONTS,
            engine_version=engine_version, cover_only=cover_only, **self._matter_furniture(),
        )

    def cards_html(self, pages) -> str:
        return self.template("cards.html.j2").render(ts=self, pages=pages)
