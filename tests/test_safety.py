"""Nothing is lost and nothing leaves the project: interrupted builds, concurrent builds,
resources outside the asset folders, and arbitrary input to the loader."""

from __future__ import annotations

import http.server
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import MINI, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transfo_print.diagnostics import ContentError
from transfo_print.load import load
from transfo_print.paths import DEFAULT_LAYOUT
from transfo_print.render import FetchRefused, Renderer

FONTS = ROOT / "fonts"


def start_build(source: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "transfo_print", "build", str(source), "--out", str(out),
         *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def snapshot(out: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(out.rglob("*.pdf")) if p.is_file()}


def qpdf_ok(pdf: Path) -> bool:
    return subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def previous(tmp_path, mini) -> Path:
    out = tmp_path / "out"
    shutil.copytree(mini.out, out)
    return out


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_build_stopped_half_way_leaves_the_previous_pdfs_intact(tmp_path, previous, how):
    before = snapshot(previous)
    html = tmp_path / "html"
    build = start_build(MINI, previous, "--html", str(html))
    wait_for(lambda: len(list(html.glob("*.html"))) >= 2)  # half way through the layout
    build.send_signal(how)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode != 0
    assert "Traceback" not in stderr
    assert snapshot(previous) == before
    assert all(qpdf_ok(pdf) for pdf in before)
    assert not [p for p in previous.rglob("*") if p.name.endswith(".part")]


def test_two_builds_at_once_into_one_folder(tmp_path):
    out = tmp_path / "out"
    builds = [start_build(MINI, out), start_build(MINI, out)]
    for build in builds:
        _, stderr = build.communicate(timeout=120)
        assert build.returncode == 0, stderr
    pdfs = list(out.rglob("*.pdf"))
    assert len(pdfs) == 4
    assert all(qpdf_ok(pdf) for pdf in pdfs)
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


# --- content cannot reach outside the project ------------------------------------------


class CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> Path:
    """A copy of the layout, which a test may add files to: the checkout is never written."""
    root = tmp_path_factory.mktemp("tool")  # as in the checkout: fonts are ../../fonts
    shutil.copytree(FONTS, root / "fonts")
    shutil.copytree(DEFAULT_LAYOUT, root / "layouts" / "drawing")
    return root / "layouts" / "drawing"


@pytest.fixture(scope="module")
def renderer(layout):
    return Renderer(layout, [layout, layout.parent.parent / "fonts"])


def outside_link(layout: Path) -> str:
    target = layout / "test-outside-link.png"
    target.unlink(missing_ok=True)
    target.symlink_to("/etc/hostname")
    return target.as_uri()


@pytest.mark.parametrize("reference", [
    "{server}/photo.png",
    "https://127.0.0.1:1/photo.png",
    "file:///etc/passwd",
    "../../../../../../etc/passwd",
    "{link}",
    "data:text/html,<b>x</b>",
    "missing-file.png",
], ids=["http", "https", "file-passwd", "dotdot", "symlink-out", "data-html", "missing"])
def test_documents_fetch_only_project_files(renderer, server, layout, reference):
    reference = reference.format(server=server, link=outside_link(layout))
    try:
        for html in (f'<img src="{reference}">', f'<link rel="stylesheet" href="{reference}">'):
            with pytest.raises(FetchRefused) as refused:
                renderer.render(f"<html><body>{html}</body></html>")
            assert "refused" in str(refused.value) or "not found" in str(refused.value)
    finally:
        (layout / "test-outside-link.png").unlink(missing_ok=True)
    assert CountingHandler.requests == []


def test_project_files_and_image_data_are_served(renderer):
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
             "nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")
    document = renderer.render(f'<img src="{pixel}" alt="dot"><p style="font-family: osifont">a')
    assert len(document.pages) == 1  # the font came through the fetcher from fonts/


# --- the loader on anything ---------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20))
structures = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(
            ["number", "title", "sections", "blocks", "text", "legend", "code", "label",
             "figures", "items", "hypothesis", "lead", "x"]), children, max_size=4)),
    max_leaves=20)


def loads_or_reports(folder: Path) -> None:
    try:
        load(folder)
    except ContentError as error:
        assert error.problems
        for problem in error.problems:
            assert str(problem).count(":") >= 3


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_is_a_sheet_or_content_errors(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(MINI, folder, dirs_exist_ok=True)
    sheet = folder / "01-start-the-engine.yaml"
    sheet.write_text(text, encoding="utf-8")
    data = sheet.read_bytes()
    loads_or_reports(folder)
    assert sheet.read_bytes() == data


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=structures)
def test_any_structure_is_a_sheet_or_content_errors(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(MINI, folder, dirs_exist_ok=True)
    sheet = folder / "01-start-the-engine.yaml"
    sheet.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = sheet.read_bytes()
    loads_or_reports(folder)
    assert sheet.read_bytes() == before


# --- every stop is clean ----------------------------------------------------------------------

SHEET = "01-start-the-engine.yaml"
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 60">'


def with_drawing(source: Path, svg: str) -> Path:
    """The small publication, with `svg` as the drawing of sheet 01's first figure."""
    shutil.copytree(MINI, source)
    (source / "figures").mkdir()
    (source / "figures" / "part.svg").write_text(svg, encoding="utf-8")
    sheet = source / SHEET
    sheet.write_text(sheet.read_text("utf-8").replace(
        "  - label: Fig.k1\n", "  - label: Fig.k1\n    drawing: figures/part.svg\n"
        "    callouts:\n      - {code: k1, at: [20, 12], text_at: [10, 40]}\n"
        "      - {code: w, at: [80, 45], text_at: [90, 20]}\n", 1), "utf-8")
    return source


def slow_drawing() -> str:
    """Within every limit, and still a few seconds to paint: time for a signal to land."""
    lines = "".join(f'<path d="M{i % 97} {i % 53} L{(i * 7) % 100} {(i * 3) % 60}" '
                    'stroke="#000" stroke-width="0.1"/>' for i in range(2_000))
    uses = "".join(f'<use href="#all" transform="translate({k} 0)"/>' for k in range(3))
    return f'{SVG_OPEN}<defs><g id="all">{lines}</g></defs>{uses}</svg>'


def parts_left(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".part")]


@pytest.mark.parametrize(("how", "status", "jobs"), [(signal.SIGINT, 130, "1"),
                                                    (signal.SIGTERM, 143, "2")])
def test_a_signal_while_a_drawing_is_painted_stops_the_build(tmp_path, previous, how, status,
                                                              jobs):
    source = with_drawing(tmp_path / "src", slow_drawing())
    before = snapshot(previous)
    html = tmp_path / "html"
    build = start_build(source, previous, "--jobs", jobs, "--html", str(html))
    # sheet 01 given to a worker process: being laid out, then its drawing painted
    wait_for(lambda: (html / f"{Path(SHEET).stem}.html").exists(), timeout=120)
    time.sleep(1)
    build.send_signal(how)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == status, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert snapshot(previous) == before
    assert not parts_left(previous)


def test_a_first_build_stopped_leaves_no_folder_behind(tmp_path):
    """The folders made for the outputs of a build that puts none in place go with it."""
    source = with_drawing(tmp_path / "src", slow_drawing())
    out, html = tmp_path / "new" / "out", tmp_path / "html"
    build = start_build(source, out, "--html", str(html))
    wait_for(lambda: (html / f"{Path(SHEET).stem}.html").exists(), timeout=120)
    assert (out / "sheets").is_dir()  # made before any layout, to check it can be written
    build.send_signal(signal.SIGTERM)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 143, stderr
    assert not (tmp_path / "new").exists()


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(delay=st.floats(0, 5), how=st.sampled_from([signal.SIGINT, signal.SIGTERM]),
       jobs=st.sampled_from(["1", "2"]))
def test_an_interrupt_at_any_moment_replaces_all_outputs_or_none(tmp_path_factory, mini,
                                                                 delay, how, jobs):
    out = tmp_path_factory.mktemp("out")
    shutil.copytree(mini.out, out, dirs_exist_ok=True)
    before = snapshot(out)
    source = tmp_path_factory.mktemp("src") / "src"
    shutil.copytree(MINI, source)
    publication = source / "publication.yaml"
    publication.write_text(publication.read_text("utf-8").replace(
        "title: Field Notes", "title: Field Notes Again"), "utf-8")  # every PDF changes
    build = start_build(source, out, "--jobs", jobs)
    time.sleep(delay)
    build.send_signal(how)
    _, stderr = build.communicate(timeout=120)
    after = snapshot(out)
    assert not parts_left(out)
    # A signal may land while the interpreter itself starts (its site module, runpy),
    # before any of the tool runs: Python reports it, and nothing of the outputs changed.
    if "Fatal Python error" in stderr or "Could not import runpy module" in stderr:
        assert after == before
        return
    assert "Traceback" not in stderr or "transfo_print" not in stderr, stderr
    if build.returncode == 0:  # finished before the signal came
        assert set(after) == set(before)
        assert all(after[p] != before[p] for p in before)
        assert all(qpdf_ok(p) for p in after)
    else:  # stopped: 128 + the signal, or killed by it before Python could take it
        assert build.returncode in (128 + how, -how), stderr
        assert after == before


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_once_the_outputs_are_in_place_ends_the_build_as_finished(tmp_path, previous,
                                                                         how):
    """Ctrl-C or SIGTERM just as the outputs have been put in place (or while the build
    tidies up, or the interpreter exits) has nothing left to stop: the build ends as a
    finished one, its outputs all new, not as an interrupted one whose outputs would be
    said untouched."""
    before = snapshot(previous)
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    publication = source / "publication.yaml"
    publication.write_text(publication.read_text("utf-8").replace(
        "title: Field Notes", "title: Field Notes Again"), "utf-8")  # every PDF changes
    probe = ("import os, sys\n"
             "from transfo_print import booklet, cli\n"
             "replace_all = booklet.replace_all\n"
             "def placing(pairs, final=False):\n"
             "    replace_all(pairs, final)\n"
             "    if final:  # the signal right after the last rename\n"
             f"        os.kill(os.getpid(), {int(how)})\n"
             "booklet.replace_all = placing\n"
             f"sys.argv = ['transfo-print', 'build', {str(source)!r}, '--out', "
             f"{str(previous)!r}]\n"
             "sys.exit(cli.entry())\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "interrupted" not in done.stderr
    after = snapshot(previous)
    assert set(after) == set(before) and all(after[p] != before[p] for p in before)
    assert not parts_left(previous)


def test_an_output_taken_by_a_folder_is_a_usage_error_before_any_layout(tmp_path, previous):
    before = snapshot(previous)
    (previous / "sheets" / "01-start-the-engine.pdf").unlink()
    (previous / "sheets" / "01-start-the-engine.pdf").mkdir()
    del before[previous / "sheets" / "01-start-the-engine.pdf"]
    html = tmp_path / "html"
    build = start_build(MINI, previous, "--html", str(html))
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 2, stderr
    assert "01-start-the-engine.pdf is not a plain file" in stderr and "Traceback" not in stderr
    assert not html.exists()  # nothing was laid out
    assert snapshot(previous) == before and not parts_left(previous)


def test_an_out_that_is_a_file_is_a_usage_error(tmp_path):
    out = tmp_path / "out.pdf"
    out.write_bytes(b"not a folder")
    build = start_build(MINI, out)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 2, stderr
    assert f"--out {out} is a file" in stderr and "Traceback" not in stderr
    assert out.read_bytes() == b"not a folder"


def test_strict_is_part_of_what_makes_a_build_up_to_date(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    sheet = source / SHEET
    sheet.write_text(sheet.read_text("utf-8").replace(
        "title: Start the engine", "title: " + "Start the engine " * 7), "utf-8")  # a warning
    out = tmp_path / "out"
    first = start_build(source, out)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0 and "warning" in stderr, stderr
    strict = start_build(source, out, "--strict")
    stdout, stderr = strict.communicate(timeout=120)
    assert strict.returncode == 1, stdout + stderr
    assert "up to date" not in stdout and "title of 118 characters" in stderr


def test_an_error_logged_while_painting_fails_the_build(tmp_path, monkeypatch):
    """The layout engine catches any failure to paint an SVG and only logs it."""
    import weasyprint.svg

    from transfo_print.build import build

    def fail(*args, **kwargs):
        raise ValueError("cannot paint")

    source = with_drawing(tmp_path / "src", SVG_OPEN + '<rect width="5" height="5"/></svg>')
    monkeypatch.setattr(weasyprint.svg.SVG, "draw", fail)
    out = tmp_path / "out"
    with pytest.raises(ContentError) as failed:
        build(load(source), out)
    # whichever PDF is written first reports it, against the file it was made from
    assert any(":1:1: error: layout engine, writing " in str(p)
               and "Failed to render SVG image" in str(p) for p in failed.value.problems)
    assert not list(out.rglob("*.pdf")) and not parts_left(out)


def test_a_signal_in_a_finalizer_is_neither_printed_nor_lost(monkeypatch):
    """Python cannot raise an exception from a finalizer and reports it as unraisable (by
    default a traceback on stderr): a signal that lands there must not be reported, and the
    build still stops at its next step."""
    import os

    from transfo_print.diagnostics import Interrupted
    from transfo_print.stopping import interrupts, stop_point

    class Finalized:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)
            sum(range(100_000))  # the handler runs here, inside the finalizer

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    with pytest.raises(Interrupted), interrupts():
        Finalized()
        stop_point()
    assert not reported
    stop_point()  # and once the build has stopped, the signal is not raised again
