"""Lay out and write one prepared document, importing nothing but the engine: the process
the bench times for the plain-text floor (see floor.py).

    python benchmarks/typeset_plain.py weasyprint TEXT.html OUT.pdf
    python benchmarks/typeset_plain.py typst TEXT.typ OUT.pdf FONT_FOLDER
"""

import sys


def import_weasyprint():
    """WeasyPrint without the gcc and ldconfig runs of ctypes' library search, as a
    transfo-print build imports it (transfo_print.render.load_engine): the floor measures
    laying out and writing, not a start-up cost the build does not pay."""
    import ctypes.util

    searching, ctypes.util.find_library = ctypes.util.find_library, lambda name: None
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = searching
    return weasyprint


def main(engine: str, document: str, pdf: str, *fonts: str) -> None:
    if engine == "weasyprint":
        import_weasyprint().HTML(filename=document).write_pdf(pdf)
    elif engine == "typst":
        import typst

        typst.compile(document, output=pdf, font_paths=list(fonts))
    else:
        sys.exit(f"unknown engine {engine!r}: weasyprint or typst")


if __name__ == "__main__":
    main(*sys.argv[1:])
