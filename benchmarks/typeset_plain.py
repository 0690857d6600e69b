"""Lay out and write one prepared document, importing nothing but the engine: the process
the bench times for the plain-text floor (see floor.py).

    python benchmarks/typeset_plain.py weasyprint TEXT.html OUT.pdf
    python benchmarks/typeset_plain.py typst TEXT.typ OUT.pdf FONT_FOLDER
"""

import sys


def main(engine: str, document: str, pdf: str, *fonts: str) -> None:
    if engine == "weasyprint":
        import weasyprint

        weasyprint.HTML(filename=document).write_pdf(pdf)
    elif engine == "typst":
        import typst

        typst.compile(document, output=pdf, font_paths=list(fonts))
    else:
        sys.exit(f"unknown engine {engine!r}: weasyprint or typst")


if __name__ == "__main__":
    main(*sys.argv[1:])
