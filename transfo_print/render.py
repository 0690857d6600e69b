"""Lay out HTML into pages with WeasyPrint.

WeasyPrint is imported here only, and only when a document is really rendered: `check`,
`--help` and an up-to-date build never pay for its import.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import time
import weakref
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .inputs import InputRefused, check_folder, confined, read_input

ENGINE_LOGGERS = ("weasyprint", "weasyprint.progress")
MAX_ASSET_BYTES = 50_000_000  # the largest font or photo the documents may load
LEFT_OUT: list[str] = []  # the improvements this engine is not the one for (engine.py)


class FetchRefused(Exception):
    """A document asked for a resource outside the project's asset folders; `path` and
    `line` say where, when that is known."""

    def __init__(self, message: str, path: Path | None = None, line: int = 1):
        super().__init__(message)
        self.path, self.line = path, line


class EngineWarnings(logging.Handler):
    """Collects what WeasyPrint logs (bad CSS, missing resources) instead of letting it pass."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self.errors: list[str] = []  # what went wrong while painting: the build fails

    def emit(self, record: logging.LogRecord) -> None:
        (self.errors if record.levelno >= logging.ERROR else self.messages).append(
            record.getMessage())


def make_fetcher(allowed: list[Path]):
    """A URL fetcher that serves files inside `allowed` folders and nothing else.

    Any refusal or missing file stops the rendering (fail_on_errors), so that a document
    can never silently lack a resource nor reach the network.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = [folder.resolve() for folder in allowed]

    class ProjectFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                if not url[5:].lower().startswith("image/"):
                    raise FetchRefused("refused a data: URL that is not an image")
                return super().fetch(url, headers)
            if parts.scheme != "file":
                raise FetchRefused(f"refused to fetch {url}: only project files may be used")
            path = Path(unquote(parts.path)).resolve()  # resolves symlinks and ../
            root = next((root for root in roots if path.is_relative_to(root)), None)
            if root is None:
                raise FetchRefused(f"refused to fetch {path}: outside the project's asset folders")
            if not path.exists():
                raise FetchRefused(f"file not found: {path}")
            try:
                body = read_input(path, root, MAX_ASSET_BYTES)
            except InputRefused as error:
                raise FetchRefused(f"refused to fetch {path}: {error}") from None
            return URLFetcherResponse(url, body=body, status=200)

    return ProjectFetcher(fail_on_errors=True, allowed_protocols=("file", "data"))


def fetch_failure(error: BaseException) -> str:
    """The reason a fatal fetch error was raised, for a one-line message."""
    cause = error.__cause__ or error
    return str(cause)


def load_engine():
    """Import WeasyPrint without the compiler and linker runs of its library search.

    WeasyPrint tries several names per system library and cffi hands every name that is
    not a file name to ctypes' `find_library`, which runs gcc and ldconfig (about half a
    second at each start). With that search answering "not found", the names that are
    sonames ("libpango-1.0.so.0") load directly. A system where only the search finds the
    libraries gets a second, ordinary import.
    """
    import ctypes.util
    import sys

    if "weasyprint" in sys.modules:
        _improve_engine()
        return sys.modules["weasyprint"]
    searching = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:
        for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
        ctypes.util.find_library = searching
        import weasyprint
    finally:
        ctypes.util.find_library = searching
    _improve_engine()
    return weasyprint


def _improve_engine() -> None:
    """Columns balanced by search, each line break, each style's strut and each box's
    lengths found once per document, a box's place in the flow read in one look, drawings
    kept out of the cascade, fonts subset without parsing C: the same pages, made in fewer
    steps. And tables measured again on pages made again for a page number found later
    (repagination.py), and a heading row that does not fit at a page's foot sent to the
    next page whole, not leaving its rule behind (flexbreak.py), and margins truncated at
    page and column breaks, so that columns start level (breakmargins.py), and words that
    fit on a line but for the space after them kept on it (hangingspace.py).

    An improvement written for other engine code than this engine's is left out
    (engine.py), and the first build of the process says which."""
    from . import (
        balance,
        breakmargins,
        engine,
        flexbreak,
        flow,
        hangingspace,
        linebreak,
        parse,
        percentages,
        repagination,
        subsets,
    )

    improvements = (balance, breakmargins, flexbreak, flow, hangingspace, linebreak, parse,
                    percentages, repagination, subsets)
    left_out = [i.__name__.rsplit(".", 1)[-1] for i in improvements if not i.install()]
    if left_out and not LEFT_OUT:
        LEFT_OUT.extend(left_out)
        from weasyprint import __version__

        print(f"warning: this layout engine (WeasyPrint {__version__}) is not the code "
              f"transfo-print was written for (WeasyPrint {engine.WRITTEN_FOR_VERSION}); "
              f"left out: {', '.join(left_out)}; pages may differ from those its tests "
              "check", file=sys.stderr)


# A word laid out by the parent (Pango started), then one in a face and size no document
# asks for, by a forked process: that one needs a font the parent has not matched.
FONT_PROBE_PARENT = '<p style="font: 1pt DejaVu Sans">Pango</p>'
FONT_PROBE_CHILD = '<p style="font: italic 300 13.37pt DejaVu Sans">Pango</p>'
# It takes a few milliseconds where forking is safe. A probe that times out on a busy
# machine costs little: the build then starts its processes another way, to the same bytes.
FONT_PROBE_SECONDS = 1.0
# How long the plain probe may take after the one with a font map of its own has finished,
# before the build does without it. It needs less work: where it can, it is done first.
PLAIN_PROBE_GRACE = 0.1


def _forks_safely(renderer: Renderer) -> bool:
    """Whether a process forked from this one can lay text out.

    Pango 1.56 (Debian 13) matches fonts in a thread that each font map starts; a forked
    process has no such thread, and the first font it matches with its parent's font map
    waits for it for ever (Pango 1.50, Debian 12, does not). Two forked processes lay out a
    word in a face and size this one has not matched, at once: one as it is, one after
    making a font map of its own (`Renderer.own_font_map`). If the first finishes, forked
    processes use this one's fonts. If only the second does, every process forked from
    here on makes a font map of its own. If neither does, the build makes its sheets in
    processes that are not copies of this one (workers.run_forked)."""
    if not hasattr(os, "fork"):  # Windows: the commands that fork refuse to run there
        return False
    renderer.render(FONT_PROBE_PARENT)
    plain, own = _Probe(renderer, False), _Probe(renderer, True)
    try:
        deadline, own_done = time.monotonic() + FONT_PROBE_SECONDS, None
        while time.monotonic() < deadline:
            plain_ok, own_ok = plain.poll(), own.poll()
            if plain_ok:
                return True
            if own_ok and own_done is None:
                own_done = time.monotonic()
            if own_ok and (plain_ok is False or time.monotonic() > own_done + PLAIN_PROBE_GRACE):
                _OWN_FONT_MAP_AFTER_FORK.add(renderer)
                return True
            if plain_ok is False and own_ok is False:
                return False
            time.sleep(0.005)
        return False
    finally:
        plain.stop()
        own.stop()


class _Probe:
    """A process forked from this one laying out a word, with a font map of its own or
    not."""

    def __init__(self, renderer: Renderer, own_font_map: bool):
        self.pid = os.fork()
        if self.pid == 0:
            status = 1
            try:
                if own_font_map:
                    renderer.own_font_map()
                renderer.render(FONT_PROBE_CHILD)
                status = 0
            finally:
                os._exit(status)
        self.ok: bool | None = None

    def poll(self) -> bool | None:
        """Whether it laid the word out; None while it is at work."""
        if self.ok is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.ok = os.waitstatus_to_exitcode(status) == 0
        return self.ok

    def stop(self) -> None:
        """Still at work (or stopped by a signal meanwhile): it goes too."""
        if self.ok is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.ok = False


# The renderers whose forked copies need a font map of their own (Pango 1.56). A copy
# notes it as it is forked, and makes the font map when it first lays out.
_OWN_FONT_MAP_AFTER_FORK: weakref.WeakSet[Renderer] = weakref.WeakSet()


def _note_inherited_font_maps() -> None:
    for renderer in _OWN_FONT_MAP_AFTER_FORK:
        renderer.font_map_inherited = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_note_inherited_font_maps)


class Renderer:
    """Holds what every document of a build shares: fonts, stylesheets, image cache."""

    def __init__(self, layout: Path, allowed: list[Path], variant: str = "pdf/ua-1",
                 bleed_mm: float | None = None):
        weasyprint = load_engine()
        import pikepdf  # noqa: F401 - what writes need, imported before the build forks
        from weasyprint.text.fonts import FontConfiguration

        self.weasyprint = weasyprint
        self.layout = Path(layout).resolve()
        self.fetcher = make_fetcher(allowed)
        self.font_config = FontConfiguration()
        try:
            check_folder(self.layout)  # its templates are read by Jinja, under the same rule
            self.stylesheets = [self._stylesheet(css, allowed)
                                for css in sorted(self.layout.glob("*.css"))]
        except (InputRefused, UnicodeDecodeError) as error:
            raise FetchRefused(f"layout {self.layout}: {error}") from None
        self.cache: dict = {}
        self.font_map_inherited = False  # a forked copy that needs a map of its own
        self._inherited_font_maps: list = []
        self.variant = variant  # tagged for reading (pdf/ua-1), or pdf/x-4 for the press
        self.bleed_mm = bleed_mm

    @property
    def forks_share_fonts(self) -> bool:
        """Whether the processes forked from this one use its font map, and so what its
        layouts have left in the engine's caches (Pango 1.50)."""
        return self.forks_safely and self not in _OWN_FONT_MAP_AFTER_FORK

    def own_font_map(self) -> None:
        """In a forked copy: a font map of this process's own, on the same font
        configuration (the fonts the stylesheets loaded, their files), and so a thread of
        its own to match fonts in (Pango 1.56)."""
        from weasyprint.text.ffi import ffi, gobject, pangoft2

        fonts = self.font_config
        # The parent's map is kept, never released: releasing it would wait for its thread.
        self._inherited_font_maps.append(fonts.font_map)
        font_map = ffi.gc(pangoft2.pango_ft2_font_map_new(), gobject.g_object_unref)
        pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", font_map),
                                              fonts._config)
        fonts.font_map = font_map
        fonts.strut_layouts.clear()  # laid out with the parent's map
        self.font_map_inherited = False

    def close(self) -> None:
        """The font files the engine wrote for this renderer's fonts removed: it removes
        them as it collects the renderer, which a process that leaves by `os._exit` (a
        pristine process) never does."""
        self.font_config.__del__()

    def _stylesheet(self, css: Path, allowed: list[Path]):
        """One of the layout's stylesheets, parsed, its fonts loaded."""
        from weasyprint.urls import FatalURLFetchingError

        text = read_input(css, self.layout, MAX_ASSET_BYTES).decode()
        try:
            return self.weasyprint.CSS(string=text, base_url=confined(css, self.layout).as_uri(),
                                       font_config=self.font_config, url_fetcher=self.fetcher)
        except FatalURLFetchingError as error:
            # A copied layout whose url()s still lead to the tool's fonts, say: name the line.
            url = str(error).partition('"')[2].rpartition('"')[0]
            name = unquote(urlsplit(url).path).rpartition("/")[2]
            line = next((number for number, words in enumerate(text.splitlines(), 1)
                         if name and name in words), 1)
            folders = ", ".join(str(folder) for folder in allowed)
            raise FetchRefused(f"{fetch_failure(error)}; a layout may use files from {folders}",
                               css, line) from None

    @functools.cached_property
    def forks_safely(self) -> bool:
        """Whether the build may fork its workers (`_forks_safely`), found out the first
        time it is asked: a renderer that never forks never pays for it."""
        return _forks_safely(self)

    @property
    def version(self) -> str:
        return self.weasyprint.__version__

    def render(self, html: str):
        """Lay out one HTML document; returns a WeasyPrint Document.

        Raises FetchRefused if the document asked for a resource it may not have.
        """
        from weasyprint.urls import FatalURLFetchingError

        from . import parse
        from .linebreak import struts
        from .parse import cut_drawings, put_back
        from .percentages import resolved

        if self.font_map_inherited:
            self.own_font_map()
        html, drawings = cut_drawings(html) if parse.installed() else (html, [])
        document = self.weasyprint.HTML(
            string=html, base_url=str(self.layout) + "/", url_fetcher=self.fetcher
        )
        put_back(document.etree_element, drawings)
        resolved.forget()
        struts.forget()
        try:
            return document.render(
                stylesheets=self.stylesheets, font_config=self.font_config, cache=self.cache,
                pdf_variant=self.variant,
            )
        except FatalURLFetchingError as error:
            raise FetchRefused(fetch_failure(error)) from None

    def write(self, document, labels, title: str | None = None,
              elsewhere: dict[str, str] | None = None) -> bytes:
        """The PDF of a laid-out document, in the renderer's variant, with page labels;
        a tagged one has its tags repaired (tagging.py) and `title` as its title
        (`elsewhere`: what the ids its links lead to in other documents are)."""
        from .booklet import finisher
        from .tagging import repair

        # Uncompressed: the tagging repair and the print-shop conversion read every stream
        # and save the file again, compressing it then (once instead of twice).
        data = document.write_pdf(
            finisher=finisher(labels, self.bleed_mm), pdf_variant=self.variant,
            cache=self.cache, uncompressed_pdf=True,
        )
        if self.variant.startswith("pdf/x"):
            return self.for_press(data)
        return repair(data, document, title, elsewhere)

    @staticmethod
    def for_press(data: bytes) -> bytes:
        """PDF/X: the colours made CMYK for the output intent, the printers' marks drawn."""
        from .press import press_ready

        return press_ready(data)

