"""The command line, end to end: exit statuses, messages, nothing lost on a mistake."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, ROOT

from transfo_print.cli import main


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "transfo_print", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_check_accepts_the_real_sheets():
    result = run("check", "sheets")
    assert result.returncode == 0, result.stderr
    assert "7 sheets, no errors" in result.stdout


def test_check_does_not_import_the_layout_engine():
    code = ("import sys; from transfo_print.cli import main; main(['check', 'sheets']); "
            "print('weasyprint' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--no-such-option"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2


def test_content_errors_exit_1_one_line_each_no_traceback(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    sheet = source / "01-start-the-engine.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace("title: Start the engine", "titel: x"),
                     "utf-8")
    out = tmp_path / "out"
    result = run("build", str(source), "--out", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[:2] == [
        f"{sheet}:1:1: error: missing required field `title`",
        f"{sheet}:2:1: error: titel: unknown key `titel` (did you mean `title`?)",
    ]
    assert lines[-1] == "2 error(s); nothing was written"
    assert not out.exists()


def test_a_failed_build_leaves_the_previous_outputs_untouched(tmp_path, mini):
    out = tmp_path / "out"
    shutil.copytree(mini.out, out)
    before = {p: p.read_bytes() for p in out.rglob("*.pdf")}
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    (source / "02-check-the-mirrors.yaml").write_text("number: [\n", "utf-8")
    result = run("build", str(source), "--out", str(out))
    assert result.returncode == 1
    assert {p: p.read_bytes() for p in out.rglob("*.pdf")} == before


def test_build_writes_the_sheets_the_booklet_and_the_html(tmp_path):
    out = tmp_path / "out"
    result = run("build", str(MINI), "--out", str(out), "--html", str(tmp_path / "html"))
    assert result.returncode == 0, result.stderr
    assert (out / "field-notes.pdf").is_file()
    assert len(list((out / "sheets").glob("*.pdf"))) == 3
    assert len(list((tmp_path / "html").glob("*.html"))) == 5
    assert "built 4 PDFs" in result.stdout
    assert not list(out.rglob("*.part")), "no temporary file is left behind"


def test_a_missing_source_folder_is_a_content_error(tmp_path):
    result = run("check", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "source folder does not exist" in result.stderr


def test_preview_writes_a_png_per_page_and_a_contact_sheet(tmp_path, mini):
    from PIL import Image
    from pypdf import PdfReader

    result = run("preview", str(mini.booklet), "--out", str(tmp_path / "preview"))
    assert result.returncode == 0, result.stderr
    pages = len(PdfReader(mini.booklet).pages)
    pngs = sorted((tmp_path / "preview").glob("page-*.png"))
    assert len(pngs) == pages
    with Image.open(pngs[0]) as first:
        assert first.size == (794, 1123)  # A4 at 96 dpi
    with Image.open(tmp_path / "preview" / "contact-sheet.png") as sheet:
        assert sheet.width > 6 * 220
