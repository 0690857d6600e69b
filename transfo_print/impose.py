"""Impose a finished booklet for saddle stitching on an office printer.

Pages are put two-up on sheets in folding order, for duplex printing flipped on the short
edge: print, fold the stack in half, staple on the fold. Blank pages make up a multiple of
four, added before the back cover so that none falls inside a sheet of the publication.
Pages are imposed at their own size: the A4 booklet on A3, the A5 booklet (laid out for
A5 by `build --paper a5`) on A4.
"""

from __future__ import annotations

import io
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .booklet import blank_pages
from .diagnostics import UsageError
from .geometry import PAPERS, PT_PER_MM


class ImpositionError(UsageError):
    """A file that is not a booklet to impose: one line, as a usage error."""


@dataclass(frozen=True)
class Imposition:
    name: str
    paper: str  # the booklet's paper (transfo_print/geometry.py PAPERS)
    sheet_width: float  # points, landscape
    sheet_height: float


# Pages two-up at their own size on a sheet laid landscape: A4 on A3, A5 on A4.
IMPOSITIONS = {
    "a4-on-a3": Imposition("a4-on-a3", "a4", PAPERS["a3"].width * PT_PER_MM,
                           PAPERS["a3"].height * PT_PER_MM),
    "a5-on-a4": Imposition("a5-on-a4", "a5", PAPERS["a4"].height * PT_PER_MM,
                           PAPERS["a4"].width * PT_PER_MM),
}


def _check_page_size(reader, pdf: Path, spec: Imposition) -> None:
    paper = PAPERS[spec.paper]
    box = reader.pages[0].trimbox if reader.pages else None
    size = (float(box.width) / PT_PER_MM, float(box.height) / PT_PER_MM) if box else (0.0, 0.0)
    if abs(size[0] - paper.width) > 1 or abs(size[1] - paper.height) > 1:
        raise ImpositionError(
            f"{pdf}: pages of {size[0]:.0f} x {size[1]:.0f} mm; {spec.name} imposes a "
            f"{spec.paper.upper()} booklet ({paper.width:g} x {paper.height:g} mm, "
            f"`transfo-print build --paper {spec.paper}`)")


@contextmanager
def _unreadable_said(pdf: Path):
    """A file that pypdf cannot read (not a PDF, a damaged one) as an ImpositionError."""
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its notes on a damaged file: said below
    try:
        yield
    except PyPdfError as error:
        raise ImpositionError(f"{pdf}: not a readable PDF ({error})") from None


def kind_of(pdf: Path) -> str:
    """The imposition for the booklet `pdf`, from the size of its pages."""
    from pypdf import PdfReader

    with _unreadable_said(pdf):
        reader = PdfReader(pdf)
        for kind, spec in IMPOSITIONS.items():
            try:
                _check_page_size(reader, pdf, spec)
            except ImpositionError:
                continue
            return kind
    names = " nor ".join(spec.paper.upper() for spec in IMPOSITIONS.values())
    raise ImpositionError(f"{pdf}: not a booklet to impose (its pages are neither {names})")


def with_blanks(pages: int) -> list[int | None]:
    """Page numbers (1-based) padded with blanks (None) to a multiple of four."""
    where, count = blank_pages(pages)
    numbers: list[int | None] = list(range(1, pages + 1))
    return numbers[:where] + [None] * count + numbers[where:]


def folding_order(pages: int) -> list[tuple[int | None, int | None]]:
    """(left, right) page numbers of each side, front then back of each sheet in turn."""
    sequence = with_blanks(pages)
    n = len(sequence)
    sides = []
    for k in range(n // 4):
        sides.append((sequence[n - 1 - 2 * k], sequence[2 * k]))  # front: last, first
        sides.append((sequence[2 * k + 1], sequence[n - 2 - 2 * k]))  # back: second, before last
    return sides


def impose(pdf: Path, kind: str) -> bytes:
    """The imposed PDF of `pdf`, for `kind` in IMPOSITIONS."""
    with _unreadable_said(pdf):
        return _imposed(pdf, IMPOSITIONS[kind])


def _imposed(pdf: Path, spec: Imposition) -> bytes:
    from pypdf import PdfReader, PdfWriter, Transformation

    reader = PdfReader(pdf)
    _check_page_size(reader, pdf, spec)
    writer = PdfWriter()
    slot = spec.sheet_width / 2
    for left, right in folding_order(len(reader.pages)):
        sheet = writer.add_blank_page(spec.sheet_width, spec.sheet_height)
        for number, x in ((left, 0.0), (right, slot)):
            if number is None:
                continue
            page = reader.pages[number - 1]
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            # Centre the page in its half of the sheet (exact for A-series sizes).
            dx = x + (slot - width) / 2
            dy = (spec.sheet_height - height) / 2
            sheet.merge_transformed_page(page, Transformation().translate(dx, dy))
    for sheet in writer.pages:
        _drop_dead_links(sheet)
        sheet.compress_content_streams()
    _keep_metadata(reader, writer)
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _drop_dead_links(sheet) -> None:
    """Links to a place in the booklet lead nowhere once its pages are parts of sheets (the
    imposed file has no named destinations): drop them, keep links to addresses."""
    from pypdf.generic import ArrayObject, NameObject

    annotations = sheet.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject(a for a in annotations if not (
        a.get_object().get("/Subtype") == "/Link" and ("/Dest" in a.get_object() or (
            a.get_object().get("/A") or {}).get("/S") in ("/GoTo", "/GoToR"))))
    if kept:
        sheet[NameObject("/Annots")] = kept
    else:
        del sheet["/Annots"]


# The imposed file is for printing, untagged: it may not claim PDF/UA.
_UA_CLAIM = re.compile(rb'<rdf:Description rdf:about="" pdfuaid:part="\d+" ?/>')


def _keep_metadata(reader, writer) -> None:
    """Title, author, dates, language, XMP and PDF version of the booklet."""
    from pypdf.generic import NameObject, TextStringObject

    writer.pdf_header = reader.pdf_header  # transparency and OpenType fonts need 1.4, 1.6
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if k in (
            "/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer",
            "/CreationDate", "/ModDate")})  # the Producer as the XMP kept below says it
    root = reader.trailer["/Root"]
    if "/Lang" in root:
        writer.root_object[NameObject("/Lang")] = TextStringObject(str(root["/Lang"]))
    if "/Metadata" in root:
        writer.xmp_metadata = _UA_CLAIM.sub(b"", root["/Metadata"].get_object().get_data())
        writer.root_object["/Metadata"].get_object().update(
            {NameObject("/Type"): NameObject("/Metadata"),
             NameObject("/Subtype"): NameObject("/XML")})
