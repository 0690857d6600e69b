"""Command line: `transfo-print build|check|schema`.

Exit status: 0 done, 1 content errors (one `path:line:column: error: message` line each on
stderr), 2 usage error or a missing system library.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from . import __version__
from .diagnostics import ContentError, Interrupted, UsageError
from .paths import DEFAULT_LAYOUT, FONTS

# The model, the templates and the layout engine are imported only by the commands that
# use them: `--help` and an up-to-date build stay fast.

DEFAULTS = {"source": Path("sheets"), "out": Path("build"), "layout": DEFAULT_LAYOUT}
PAPER_NAMES = ("a4", "a3", "letter")


def _sheet_numbers(text: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sheet numbers such as 02,05, not {text!r}") from None
    if not numbers:
        raise argparse.ArgumentTypeError("expected at least one sheet number")
    return tuple(sorted(set(numbers)))


def _booklet_arguments(command: argparse.ArgumentParser, out: Path) -> None:
    """For commands that start from a built booklet."""
    command.add_argument("pdf", type=Path, nargs="?",
                         help="the PDF (default: the booklet of SOURCE, in BUILD)")
    command.add_argument("--source", type=Path, default=DEFAULTS["source"])
    command.add_argument("--build", type=Path, default=DEFAULTS["out"],
                         help="where the booklet was built (default: build/)")
    command.add_argument("--out", type=Path, default=out, help=f"output folder ({out}/)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="transfo-print",
        description="Lay out structured sheets as engineering-drawing PDFs and a booklet.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the sheet PDFs and the booklet")
    build.add_argument("source", nargs="?", type=Path, default=DEFAULTS["source"],
                       help="folder with publication.yaml and the sheets (default: sheets/)")
    build.add_argument("--out", type=Path, default=DEFAULTS["out"],
                       help="output folder (default: build/)")
    build.add_argument("--html", type=Path, metavar="DIR",
                       help="also write the HTML handed to the layout engine into DIR")
    build.add_argument("--layout", type=Path, default=DEFAULTS["layout"],
                       help="layout folder (templates and CSS)")
    build.add_argument("--strict", action="store_true",
                       help="treat warnings (layout engine included) as errors")
    build.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    build.add_argument("--force", action="store_true",
                       help="build even if nothing changed since the last build")
    build.add_argument("--paper", choices=PAPER_NAMES, default="a4",
                       help="a4 (portrait, default), a3 (landscape wall poster) or letter")
    build.add_argument("--only", type=_sheet_numbers, default=(), metavar="NN,NN",
                       help="a workshop booklet of these sheets only, e.g. --only 02,05")
    build.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="processes writing PDFs in parallel (default: all cores)")
    build.add_argument("--press", action="store_true",
                       help="print-shop booklet in DIR/print/: 3 mm bleed, crop marks, PDF/X-4")

    watch = commands.add_parser(
        "watch", help="rebuild what changed each time a file is saved (Ctrl-C to stop)")
    watch.add_argument("source", nargs="?", type=Path, default=DEFAULTS["source"])
    watch.add_argument("--out", type=Path, default=DEFAULTS["out"])
    watch.add_argument("--layout", type=Path, default=DEFAULTS["layout"])
    watch.add_argument("--paper", choices=PAPER_NAMES, default="a4")
    watch.add_argument("--only", type=_sheet_numbers, default=(), metavar="NN,NN")
    watch.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N")

    impose = commands.add_parser(
        "impose", help="saddle-stitched booklets for office printers, from the built booklet")
    _booklet_arguments(impose, Path("build/print"))

    cards = commands.add_parser("cards", help="the challenges as A6 cards, four to an A4 page")
    cards.add_argument("source", nargs="?", type=Path, default=DEFAULTS["source"])
    cards.add_argument("--out", type=Path, default=Path("build/print"))

    check = commands.add_parser("check", help="validate the sources without rendering")
    check.add_argument("source", nargs="?", type=Path, default=DEFAULTS["source"])
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    preview = commands.add_parser(
        "preview", help="PNG of every page of a PDF and a contact sheet of them all")
    _booklet_arguments(preview, Path("build/preview"))

    schema = commands.add_parser("schema", help="write the JSON Schemas of the sheet files")
    schema.add_argument("folder", nargs="?", type=Path, default=DEFAULTS["source"],
                        help="where to write sheet.schema.json and publication.schema.json")
    return parser


def _report(error: ContentError, building: bool) -> int:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{count} error(s)" + ("; nothing was written" if building else ""), file=sys.stderr)
    return 1


def _engine_missing(error: OSError) -> int:
    print(
        f"transfo-print: the layout engine cannot load a system library ({error}); "
        "install the Debian package libpango-1.0-0 (apt-get install libpango-1.0-0)",
        file=sys.stderr,
    )
    return 2


def write_schemas(folder: Path) -> list[Path]:
    from .model import Publication, Sheet

    written = []
    for name, model in (("sheet", Sheet), ("publication", Publication)):
        path = folder / f"{name}.schema.json"
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    return written


def _terminate(signum, frame):
    # SIGTERM unwinds like Ctrl-C, so temporary files are removed on the way out.
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "check":
            book = _load(args)
            print(f"{args.source}: {book.count} sheets, no errors")
            return 0
        if args.command == "preview":
            return _preview(args)
        if args.command == "watch":
            return _watch(args)
        if args.command == "impose":
            return _impose(args)
        if args.command == "cards":
            return _cards(args)
        if args.command == "schema":
            for path in write_schemas(args.folder):
                print(f"wrote {path}")
            return 0
        return _build(args)
    except ContentError as error:
        return _report(error, building=args.command == "build")
    except UsageError as error:
        print(f"transfo-print: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as error:
        print("transfo-print: interrupted; the previous outputs are untouched", file=sys.stderr)
        return error.exit_status if isinstance(error, Interrupted) else 130


def _watch(args) -> int:
    from .options import Options
    from .watch import Watcher

    options = Options(paper=args.paper, only=args.only)
    Watcher(args.source, args.out, args.layout, options, max(1, args.jobs),
            report=lambda line: print(line, flush=True)).run()
    return 0


def _booklet_of(args) -> Path:
    return args.build / f"{_load(args).publication.output}.pdf"


def _impose(args) -> int:
    from .booklet import write_atomic
    from .impose import IMPOSITIONS, impose

    pdf = args.pdf or _booklet_of(args)
    if not pdf.is_file():
        print(f"transfo-print: no file {pdf} (run `make booklet` first)", file=sys.stderr)
        return 2
    for kind in IMPOSITIONS:
        target = args.out / f"{pdf.stem}-{kind}.pdf"
        write_atomic(target, impose(pdf, kind))
        print(f"wrote {target}")
    return 0


def _cards(args) -> int:
    from .booklet import write_atomic
    from .cards import make_cards

    book = _load(args)
    target = args.out / "defis-cards.pdf"
    write_atomic(target, make_cards(book))
    print(f"wrote {target}")
    return 0


def _preview(args) -> int:
    from .preview import make_previews

    if args.pdf is None:
        args.pdf = _booklet_of(args)
    if not args.pdf.is_file():
        print(f"transfo-print: no file {args.pdf} (run `make booklet` first)", file=sys.stderr)
        return 2
    written = make_previews(args.pdf, args.out)
    print(f"wrote {len(written) - 1} page previews and {written[-1]}")
    return 0


def _load(args):
    """Load the sources; print their warnings, which --strict turns into errors."""
    from .load import load

    book = load(args.source)
    if getattr(args, "strict", False) and book.warnings:
        raise ContentError([replace(w, severity="error") for w in book.warnings])
    for warning in book.warnings:
        print(warning, file=sys.stderr)
    return book


def _build(args) -> int:
    from . import manifest
    from .options import Options

    started = time.monotonic()

    options = Options(paper=args.paper, only=args.only, press=args.press)
    key = manifest.inputs_key(
        [args.source, args.layout, FONTS],
        {"layout": str(args.layout.resolve()), "options": repr(options),
         "date": os.environ.get("SOURCE_DATE_EPOCH"), "strict": args.strict},
    )
    variant = options.suffix() + ("-press" if options.press else "")
    if not (args.force or args.html) and manifest.is_up_to_date(args.out, key, variant):
        if not args.quiet:
            print(f"{args.out}: up to date (nothing changed since the last build)")
        return 0
    book = _load(args)
    show = not args.quiet and sys.stderr.isatty()

    def progress(message: str) -> None:
        if show:
            print(f"[{time.monotonic() - started:5.1f}s] {message}", file=sys.stderr)

    from .build import build

    try:
        result = build(book, args.out, layout=args.layout, html_dir=args.html,
                       progress=progress, strict=args.strict, options=options,
                       processes=max(1, args.jobs))
    except OSError as error:
        if "cannot load library" in str(error) or "pango" in str(error).lower():
            return _engine_missing(error)
        raise
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    manifest.record(args.out, key, result.outputs, variant)
    if not args.quiet:
        print(f"built {len(result.outputs)} PDFs ({result.pages} booklet pages) in {args.out} "
              f"in {time.monotonic() - started:.1f}s")
    return 0
