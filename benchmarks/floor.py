"""The engine's floor: plain WeasyPrint, in one process, laying out the HTML that
`transfo-print build --html` wrote (each document once) and writing the same outputs:
one PDF per sheet and the booklet from the same pages."""

import sys
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

html_dir, layout, out = (Path(a) for a in sys.argv[1:4])
out.mkdir(parents=True, exist_ok=True)
fonts = FontConfiguration()
css = [weasyprint.CSS(filename=str(c), font_config=fonts) for c in sorted(layout.glob("*.css"))]
base = str(layout) + "/"


def lay_out(path: Path):
    return weasyprint.HTML(filename=str(path), base_url=base).render(
        stylesheets=css, font_config=fonts, pdf_variant="pdf/ua-1")


sheets = [lay_out(p) for p in sorted(html_dir.glob("[0-9]*.html"))]
front, back = lay_out(html_dir / "front-matter.html"), lay_out(html_dir / "back-matter.html")
for number, document in enumerate(sheets, 1):
    document.write_pdf(out / f"{number:03d}.pdf", pdf_variant="pdf/ua-1")
documents = [front, *sheets, back]
documents[0].copy([p for d in documents for p in d.pages]).write_pdf(
    out / "booklet.pdf", pdf_variant="pdf/ua-1")
