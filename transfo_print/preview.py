"""Previews of a PDF: one PNG per page at screen resolution, and a contact sheet."""

from __future__ import annotations

from pathlib import Path

from .diagnostics import UsageError

SCREEN_DPI = 96
THUMBNAIL_WIDTH = 220  # pixels, on the contact sheet
COLUMNS = 6
GAP = 16


def make_previews(pdf: Path, out: Path, dpi: int = SCREEN_DPI) -> list[Path]:
    """Write page-NN.png for each page and contact-sheet.png into `out`."""
    import pypdfium2
    from PIL import Image

    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except pypdfium2.PdfiumError as error:
        raise UsageError(f"{pdf}: not a readable PDF ({error})") from None
    if len(document) == 0:
        document.close()
        raise UsageError(f"{pdf}: the PDF has no pages")
    out.mkdir(parents=True, exist_ok=True)
    written, thumbnails = [], []
    try:
        for number, page in enumerate(document, 1):
            image = page.render(scale=dpi / 72).to_pil().convert("RGB")
            path = out / f"page-{number:02d}.png"
            image.save(path, optimize=True)
            written.append(path)
            height = round(image.height * THUMBNAIL_WIDTH / image.width)
            thumbnails.append(image.resize((THUMBNAIL_WIDTH, height), Image.LANCZOS))
    finally:
        document.close()
    rows = -(-len(thumbnails) // COLUMNS)
    cell_height = max(t.height for t in thumbnails)
    sheet = Image.new("RGB", (GAP + COLUMNS * (THUMBNAIL_WIDTH + GAP),
                              GAP + rows * (cell_height + GAP)), (236, 236, 236))
    for index, thumbnail in enumerate(thumbnails):
        row, column = divmod(index, COLUMNS)
        sheet.paste(thumbnail, (GAP + column * (THUMBNAIL_WIDTH + GAP),
                                GAP + row * (cell_height + GAP)))
    path = out / "contact-sheet.png"
    sheet.save(path, optimize=True)
    written.append(path)
    return written
