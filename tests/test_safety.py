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
    return {p: p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


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
