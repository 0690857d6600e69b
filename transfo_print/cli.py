"""Command line: `transfo-print new|build|web|watch|check|cards|impose|preview|schema`.

Exit status: 0 done, 1 content errors (one `path:line:column: error: message` line each on
stderr), 2 usage error, a file that cannot be read or written, or a missing
system library.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shlex
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from . import __version__, interpreter
from .diagnostics import ContentError, Interrupted, UsageError, counted
from .geometry import DEFAULT_PAPER, PAPERS
from .options import PRINT_FOLDER
from .paths import DEFAULT_LAYOUT, FONTS, PUBLICATION_FILE
from .stopping import ends_with_command

# The model, the templates and the layout engine are imported only by the commands that
# use them: `--help` and an up-to-date build stay fast.

DEFAULTS = {"out": Path("build"), "layout": DEFAULT_LAYOUT}
SOURCE_HELP = ("folder with publication.yaml and the sheets (default: the current folder if it "
               "holds publication.yaml, else sheets/)")


def default_source() -> Path:
    return Path(".") if Path(PUBLICATION_FILE).is_file() else Path("sheets")


def _checked_source(source: Path) -> Path:
    if not source.is_dir():
        what = f"{source} is a file" if source.exists() else f"no folder {source}"
        raise UsageError(f"{what} (SOURCE is the folder holding {PUBLICATION_FILE})")
    if not (source / PUBLICATION_FILE).is_file():
        raise UsageError(f"{source} holds no {PUBLICATION_FILE}, so it is not a publication "
                         "(`transfo-print new FOLDER` starts one)")
    return source


def _sheet_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise argparse.ArgumentTypeError(f"expected a number of sheets from 1 to 99, not {text!r}")
    return int(text)


def _sheet_numbers(text: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sheet numbers such as 02,05, not {text!r}") from None
    if not numbers:
        raise argparse.ArgumentTypeError("expected at least one sheet number")
    return tuple(sorted(set(numbers)))


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, not {text!r}")
    return int(text)


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes from 1, not {text!r}")
    return int(text)


def _layout_arguments(command: argparse.ArgumentParser) -> None:
    """For the commands that lay the sheets out: build and watch."""
    command.add_argument("source", nargs="?", type=Path, help=SOURCE_HELP)
    command.add_argument("--out", type=Path, default=DEFAULTS["out"],
                         help="output folder (default: build/)")
    command.add_argument("--layout", type=Path, default=DEFAULTS["layout"],
                         help="layout folder (templates and CSS; default: the drawing sheet)")
    command.add_argument("--paper", choices=tuple(PAPERS), default=DEFAULT_PAPER,
                         help="a4 (portrait, default), a3 (landscape wall poster), letter, "
                              "or a5 (the page of a stapled booklet: `impose`)")
    command.add_argument("--only", type=_sheet_numbers, default=(), metavar="NN,NN",
                         help="a workshop booklet of these sheets only, e.g. --only 02,05")
    command.add_argument("-j", "--jobs", type=_jobs, default=os.cpu_count() or 1, metavar="N",
                         help="sheets laid out and written in parallel (default: all cores)")


def _booklet_arguments(command: argparse.ArgumentParser, out: Path | None,
                       booklet: str = "the booklet of SOURCE, in BUILD") -> None:
    """For commands that start from a built booklet."""
    command.add_argument("pdf", type=Path, nargs="?", help=f"the PDF (default: {booklet})")
    command.add_argument("--source", type=Path, help=SOURCE_HELP)
    command.add_argument("--build", type=Path, default=DEFAULTS["out"],
                         help="where the booklet was built (default: build/)")
    if out is not None:
        command.add_argument("--out", type=Path, default=out,
                             help=f"output folder (default: {out}/)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="transfo-print",
        description="Lay out structured sheets as engineering-drawing PDFs and a booklet.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = commands.add_parser("new", help="start a publication: a folder that builds at once")
    new.add_argument("folder", type=Path, help="the folder to create (new or empty)")
    new.add_argument("--language", choices=("fr", "en"), default="en",
                     help="language of the labels and of the sample text (default: en)")
    new.add_argument("--sheets", type=_sheet_count, default=3, metavar="N",
                     help="number of sheet files (default: 3)")

    build = commands.add_parser("build", help="build the sheet PDFs and the booklet")
    _layout_arguments(build)
    build.add_argument("--html", type=Path, metavar="DIR",
                       help="also write the HTML handed to the layout engine into DIR")
    build.add_argument("--strict", action="store_true",
                       help="treat warnings (layout engine included) as errors")
    build.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    build.add_argument("--force", action="store_true",
                       help="build even if nothing changed since the last build")
    build.add_argument("--press", action="store_true",
                       help="print-shop booklet in DIR/print/: 3 mm bleed, crop marks, PDF/X-4")

    web = commands.add_parser(
        "web", help="the web edition: a static site of the sheets, with their PDFs")
    web.add_argument("source", nargs="?", type=Path, help=SOURCE_HELP)
    web.add_argument("--out", type=Path, default=DEFAULTS["out"] / "web",
                     help="output folder (default: build/web/)")
    web.add_argument("--pdfs", type=Path, metavar="DIR",
                     help="where the PDFs were built, to offer them for download "
                          "(default: the folder above --out)")
    web.add_argument("--force", action="store_true",
                     help="build even if nothing changed since the last build")
    web.add_argument("-q", "--quiet", action="store_true", help="no summary line")

    watch = commands.add_parser(
        "watch", help="rebuild what changed each time a file is saved (Ctrl-C to stop)")
    _layout_arguments(watch)
    watch.add_argument("--web", action="store_true",
                       help="also rebuild the web edition into OUT/web and serve it on "
                            "127.0.0.1, reloading the browser after each rebuild")
    watch.add_argument("--port", type=_port, default=8000,
                       help="port of the web edition with --web (default: 8000)")

    impose = commands.add_parser(
        "impose", help="saddle-stitched booklets for office printers, from the built A4 and A5 "
        "booklets")
    _booklet_arguments(impose, DEFAULTS["out"] / PRINT_FOLDER)

    cards = commands.add_parser("cards", help="the challenges as A6 cards, four to an A4 page")
    cards.add_argument("source", nargs="?", type=Path, help=SOURCE_HELP)
    cards.add_argument("--out", type=Path, default=DEFAULTS["out"] / PRINT_FOLDER,
                       help="output folder (default: build/print/)")

    preflight = commands.add_parser(
        "preflight", help="check a print-shop PDF as a print shop would (exit 1 on a fail)")
    _booklet_arguments(preflight, None, "the print-shop booklet of SOURCE, in BUILD/print/")

    check = commands.add_parser("check", help="validate the sources without rendering")
    check.add_argument("source", nargs="?", type=Path, help=SOURCE_HELP)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    preview = commands.add_parser(
        "preview", help="PNG of every page of a PDF and a contact sheet of them all")
    _booklet_arguments(preview, Path("build/preview"))

    schema = commands.add_parser("schema", help="write the JSON Schemas of the sheet files")
    schema.add_argument("folder", nargs="?", type=Path,
                        help="where to write sheet.schema.json and publication.schema.json "
                             "(default: as SOURCE)")
    parser.commands = commands.choices
    return parser


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    """The parsed command line; an option the command does not know is said by the command,
    with the nearest one it has."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = parser.commands[args.command]
        known = [option for action in command._actions for option in action.option_strings]
        nearest = difflib.get_close_matches(unknown[0].partition("=")[0], known, n=1)
        command.error(f"unrecognized arguments: {' '.join(unknown)}"
                      + (f" (did you mean {nearest[0]}?)" if nearest else ""))
    return args


def _report(error: ContentError, building: bool) -> int:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{count} error(s)" + ("; nothing was written" if building else ""), file=sys.stderr)
    return 1


def _system_error(error: OSError) -> int:
    """A system library the layout engine cannot load, or a file or folder the command
    cannot read or write (a read-only disk, a full one, a path under a file): one line."""
    if "cannot load library" in str(error) or "pango" in str(error).lower():
        print(f"transfo-print: the layout engine cannot load a system library ({error}); "
              "install the Debian package libpango-1.0-0 (apt-get install libpango-1.0-0)",
              file=sys.stderr)
    else:
        where = ", ".join(str(name) for name in (error.filename, error.filename2) if name)
        print(f"transfo-print: {where + ': ' if where else ''}{error.strerror or error}",
              file=sys.stderr)
    return 2


def _terminate(signum, frame):
    # SIGTERM unwinds like Ctrl-C, so temporary files are removed on the way out.
    raise Interrupted(signum)


def entry() -> int:
    """The command line (`transfo-print`, `python -m transfo_print`): `main`, in a process
    that ends with it (stopping.ends_with_command), run as interpreter.py says."""
    try:
        ends_with_command()
        return interpreter.run(main)
    except KeyboardInterrupt as error:  # before `main` could take it (its arguments): no
        print("transfo-print: interrupted", file=sys.stderr)  # output was touched yet
        return error.exit_status if isinstance(error, Interrupted) else 130


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "new":
            return _new(args)
        if args.command == "schema":
            from .model import write_schemas

            for path in write_schemas(args.folder or default_source()):
                print(f"wrote {path}")
            return 0
        # impose, preview and preflight given a PDF need no publication
        if args.command not in ("impose", "preview", "preflight") or args.pdf is None:
            if args.source is None:
                args.source = default_source()
                if not args.source.is_dir():
                    raise UsageError(f"no {PUBLICATION_FILE} in the current folder and no "
                                     "folder sheets/: give SOURCE, the folder holding "
                                     "publication.yaml")
            _checked_source(args.source)
        if args.command == "check":
            return _check(args)
        if args.command == "preflight":
            return _preflight(args)
        if args.command == "preview":
            return _preview(args)
        if args.command == "web":
            return _web(args)
        if not hasattr(os, "fork"):
            raise UsageError(
                f"`{args.command}` needs Linux or macOS (it forks processes and locks files); "
                "on Windows, run it under WSL. `new`, `check`, `schema` and `preview` work "
                "anywhere.")
        if args.command == "watch":
            return _watch(args)
        if args.command == "impose":
            return _impose(args)
        if args.command == "cards":
            return _cards(args)
        return _build(args)
    except UsageError as error:
        print(f"transfo-print: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        return _report(error, building=args.command == "build")
    except OSError as error:
        return _system_error(error)
    except KeyboardInterrupt as error:
        # A build puts its outputs in place as one set; the other commands file by file.
        said = ("the previous outputs are untouched" if args.command in ("build", "watch")
                else "each file already written is whole, the others are as they were")
        print(f"transfo-print: interrupted; {said}", file=sys.stderr)
        return error.exit_status if isinstance(error, Interrupted) else 130


def _check(args) -> int:
    book = _load(args)
    warned = f", {counted(len(book.warnings), 'warning')}" if book.warnings else ""
    named = args.source if args.source != Path(".") else Path.cwd().name  # not `.`
    print(f"{named}: {counted(book.count, 'sheet')}, "
          f"no errors{warned}")
    return 0


def _new(args) -> int:
    from .skeleton import FolderNotEmpty, new

    try:
        written = new(args.folder, args.language, args.sheets)
    except FolderNotEmpty as error:
        raise UsageError(f"{error}: nothing was written") from None
    print(f"wrote {len(written)} files in {args.folder}; build them with:\n"
          f"  cd {shlex.quote(str(args.folder))} && transfo-print build")
    return 0


def _watch(args) -> int:
    from .options import Options
    from .watch import Watcher

    options = Options(paper=args.paper, only=args.only)

    def report(line: str) -> None:
        print(line, flush=True)

    after, also_watch = None, ()
    if args.web:
        from .serve import serve
        from .web import WEB_LAYOUT, write_site

        site = args.out / "web"

        def after(book) -> None:
            try:
                result = write_site(book, site, args.out)
            except ContentError as error:
                for problem in error.problems:
                    report(str(problem))
                return
            report(f"[{time.strftime('%H:%M:%S')}] web edition: wrote "
                   f"{len(result.written)} files ({result.unchanged} unchanged)")

        site.mkdir(parents=True, exist_ok=True)
        try:
            server = serve(site, args.port)
        except OSError as error:
            raise UsageError(f"cannot serve on 127.0.0.1:{args.port}: {error.strerror} "
                             "(give another --port)") from None
        also_watch = (WEB_LAYOUT,)
        report(f"web edition at http://127.0.0.1:{server.server_port}/ (reloads after "
               "each rebuild)")
    Watcher(args.source, args.out, args.layout, options, args.jobs,
            report=report, after=after, also_watch=also_watch).run()
    return 0


def _web(args) -> int:
    from . import manifest
    from .web import WEB_LAYOUT, pdf_digests, write_site

    pdfs = args.pdfs or args.out.parent
    # Whether anything changed is known without loading: the sources, the web layout, the
    # fonts, the tool, and the PDFs the site copies (read before the site is made from them).
    key = manifest.inputs_key([args.source, WEB_LAYOUT, FONTS], {"pdfs": pdf_digests(pdfs)},
                              out=args.out)
    if not args.force:
        if manifest.is_up_to_date(args.out, key, "-web"):
            if not args.quiet:
                print(f"{args.out}: up to date (nothing changed since the last build)")
            return 0
    book = _load(args)
    result = write_site(book, args.out, pdfs)
    for missing in result.missing_pdfs:
        print(f"transfo-print: no {missing}: its download link is left out (build the PDFs "
              "first: `transfo-print build`, or `make web`)", file=sys.stderr)
    manifest.record(args.out, key, sorted(p for p in args.out.rglob("*") if p.is_file()
                                          and not p.name.startswith(".")), "-web")
    if not args.quiet:
        print(f"wrote {len(result.written)} files of the web edition in {args.out} "
              f"({result.unchanged} unchanged, {len(result.removed)} removed); "
              f"open {args.out / 'index.html'}")
    return 0


def _booklet_of(args) -> Path:
    return args.build / f"{_load(args).publication.output}.pdf"


def _impose(args) -> int:
    """Impose the booklet given, in the kind its page size calls for; or else both booklets
    of SOURCE in BUILD: the A4 one on A3 and the A5 one on A4."""
    from .booklet import write_atomic
    from .impose import IMPOSITIONS, impose, kind_of
    from .options import Options

    if args.pdf is not None:
        if not args.pdf.is_file():
            raise UsageError(f"no file {args.pdf}")
        jobs = [(args.pdf, kind_of(args.pdf))]
    else:
        book = _load(args)
        jobs = [(args.build / Options(paper=spec.paper).booklet_path(book), kind)
                for kind, spec in IMPOSITIONS.items()]
    missing = 0
    for pdf, kind in jobs:
        paper = IMPOSITIONS[kind].paper
        if not pdf.is_file():
            build = "make booklet" if paper == DEFAULT_PAPER else \
                f"transfo-print build {shlex.quote(str(args.source))} --paper {paper}"
            print(f"transfo-print: no file {pdf} for {kind} (run `{build}` first)",
                  file=sys.stderr)
            missing += 1
            continue
        # the booklet's name, without its paper: la-transfo-a5.pdf -> la-transfo-a5-on-a4.pdf
        head, tag, tail = pdf.stem.rpartition(f"-{paper}")
        target = args.out / f"{head + tail if tag else pdf.stem}-{kind}.pdf"
        write_atomic(target, impose(pdf, kind))
        print(f"wrote {target}")
    return 2 if missing else 0


def _cards(args) -> int:
    from .booklet import write_atomic
    from .cards import make_cards

    book = _load(args)
    target = args.out / f"{book.publication.output}-cards.pdf"
    write_atomic(target, make_cards(book))
    print(f"wrote {target}")
    return 0


def _preflight(args) -> int:
    from .options import Options
    from .preflight import PreflightError, failed, preflight, report

    if args.pdf is None:
        args.pdf = args.build / Options(press=True).booklet_path(_load(args))
        if not args.pdf.is_file():
            raise UsageError(f"no file {args.pdf} (run `make print`, or `transfo-print build "
                             f"{shlex.quote(str(args.source))} --press`, first)")
    try:
        checks = preflight(args.pdf)
    except PreflightError as error:
        print(f"transfo-print: {error}", file=sys.stderr)
        return 2
    print(report(args.pdf, checks))
    return 1 if failed(checks) else 0


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
         "date": os.environ.get("SOURCE_DATE_EPOCH"), "strict": args.strict}, out=args.out,
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

    result = build(book, args.out, layout=args.layout, html_dir=args.html,
                   progress=progress, strict=args.strict, options=options,
                   processes=args.jobs)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    manifest.record(args.out, key, result.outputs, variant)
    if not args.quiet:
        blanks = (f", {counted(result.blank_pages, 'blank page')} before the last to make a "
                  "multiple of four") if result.blank_pages else ""
        print(f"built {counted(len(result.outputs), 'PDF')} ({result.pages} booklet pages"
              f"{blanks}) in {args.out} in {time.monotonic() - started:.1f}s")
    return 0
