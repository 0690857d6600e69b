"""The plain-text floor: what a page costs when it holds only its words.

The words are those of the sheets (every part, headings set as paragraphs), read through
`transfo_print.load` and the model, typeset with the project's typography (quotes, spaces,
emphasis) but with no drawing furniture and no figures: plain WeasyPrint, the same version
and the same vendored fonts, body 10 pt, on A4 with the frame's margins (20 mm at the
binding edge, 10 mm elsewhere), justified and hyphenated as the sheets' text is, each sheet
starting a page as in the booklet, paragraphs spaced as WeasyPrint's default style sheet
spaces them. The same text is also written as a Typst source, for the
reference a user could pick instead when the `typst` package happens to be installed.

The documents are prepared here, in the bench's process; the timed process
(`benchmarks/typeset_plain.py`) only lays them out and writes the PDF.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from markupsafe import escape

from transfo_print.geometry import PAPERS
from transfo_print.load import load
from transfo_print.model import Book, ListItem
from transfo_print.paths import FONTS
from transfo_print.typeset import PARTS
from transfo_print.typography import typeset

PAPER = PAPERS["a4"]
BODY_PT = 10  # the floor's body size, the same for both engines
TEXT_FONT = "EB Garamond"  # the project's body face (layouts/drawing/page.css)
FALLBACK_FONT = "DejaVu Sans"  # fills the glyphs EB Garamond lacks, as in the project


def _items(items: list) -> Iterator[str]:
    for item in items:
        if isinstance(item, ListItem):
            yield item.text
            if item.body:
                yield item.body
            if item.items:
                yield from _items(item.items)
        else:
            yield item


def paragraphs(book: Book) -> Iterator[tuple[str, str]]:
    """(kind, text) in reading order; kind is "sheet" (its title, which starts a page, as
    in the booklet), "heading" or "text"."""
    labels = book.publication.labels
    for entry in book.sheets:
        sheet = entry.sheet
        yield "sheet", sheet.title
        for part in PARTS:
            content = getattr(sheet.sections, part)
            if content is None:
                continue
            yield "heading", getattr(labels, part)
            if part == "hypothesis":
                yield "text", content.lead
            if part in ("challenges", "testimonials"):
                for item in content.items:
                    if part == "testimonials":
                        yield "heading", ", ".join(item.names)
                        texts = [item.role, item.text]
                    else:
                        texts = [item.text]
                    yield from (("text", t) for t in texts if t)
                continue
            for block in content.blocks:
                if block.heading:
                    yield "heading", block.heading
                elif block.list:
                    yield from (("text", t) for t in _items(block.list))
                else:
                    yield "text", block.text or block.caption


def html_document(source: Path) -> str:
    book = load(source)
    language = book.publication.language
    regular, italic, fallback = (
        (Path(FONTS) / name).resolve().as_uri()
        for name in ("EBGaramond12-Regular.otf", "EBGaramond12-Italic.otf", "DejaVuSans.ttf"))
    body = "\n".join(
        f'<p class="{kind}">{typeset(text, language)}</p>' for kind, text in paragraphs(book))
    return f"""<!doctype html>
<html lang="{escape(language)}"><head><meta charset="utf-8"><title>floor</title><style>
@font-face {{ font-family: "{TEXT_FONT}"; src: url({regular}); }}
@font-face {{ font-family: "{TEXT_FONT}"; font-style: italic; src: url({italic}); }}
@font-face {{ font-family: "{FALLBACK_FONT}"; src: url({fallback}); }}
@page {{ size: {PAPER.width}mm {PAPER.height}mm;
        margin: {PAPER.border}mm {PAPER.border}mm {PAPER.border}mm {PAPER.filing_margin}mm; }}
html {{ font: {BODY_PT}pt/{PAPER.leading} "{TEXT_FONT}", "{FALLBACK_FONT}"; }}
body {{ margin: 0; }}
p {{ text-align: justify; hyphens: auto; }}
p.heading, p.sheet {{ font-style: italic; text-align: left; hyphens: manual; }}
p.sheet {{ break-before: page; }}
</style></head><body>
{body}
</body></html>
"""


def _typst_text(text: str) -> str:
    # Typst markup: its special characters escaped (emphasis marks included: the words
    # are what counts here).
    escaped = "".join("\\" + c if c in "\\#$*_`<>@=-+/~[]{}" else c for c in text)
    return escaped.replace("\n", " ")


def typst_document(source: Path) -> str:
    book = load(source)
    paragraphs_text = "\n\n".join(
        ("#pagebreak(weak: true)\n" if kind == "sheet" else "")
        + (_typst_text(text) if kind == "text" else f"_{_typst_text(text)}_")
        for kind, text in paragraphs(book))
    return (
        f'#set page(width: {PAPER.width}mm, height: {PAPER.height}mm, margin: '
        f'(left: {PAPER.filing_margin}mm, rest: {PAPER.border}mm))\n'
        f'#set text(font: ("{TEXT_FONT} 12", "{TEXT_FONT}", "{FALLBACK_FONT}"), '
        f'size: {BODY_PT}pt, lang: "{book.publication.language[:2]}", hyphenate: true)\n'
        # Typst's leading runs from a baseline to the next line's cap height (about 0.7 em).
        f'#set par(justify: true, leading: {PAPER.leading - 0.7:.2f}em, spacing: 1em)\n\n'
        f"{paragraphs_text}\n")
