"""The command line, end to end: exit statuses, messages, nothing lost on a mistake."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, ROOT, edit, pdftotext

from transfo_print import cli
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


def test_a_build_runs_no_compiler_or_linker_search(tmp_path):
    """ctypes' library search runs gcc and ldconfig; the build loads its libraries by soname."""
    code = ("import subprocess, sys; started = []; popen = subprocess.Popen.__init__\n"
            "def record(self, args, *a, **k):\n"
            "    started.append(args); popen(self, args, *a, **k)\n"
            "subprocess.Popen.__init__ = record\n"
            "from transfo_print.cli import main\n"
            f"status = main(['build', {str(MINI)!r}, '--out', {str(tmp_path)!r}, '--quiet'])\n"
            "print(status, started)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.stdout.strip() == "0 []", result.stdout + result.stderr


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
    # one document per sheet, and the front and back matter as one
    assert len(list((tmp_path / "html").glob("*.html"))) == 4
    assert (tmp_path / "html" / "matter.html").is_file()
    assert "built 4 PDFs" in result.stdout
    assert not list(out.rglob("*.part")), "no temporary file is left behind"


def test_a_missing_source_is_a_usage_error(tmp_path):
    result = run("check", str(tmp_path / "nowhere"))
    assert (result.returncode, result.stderr) == (2, f"transfo-print: no folder {tmp_path}/nowhere "
                                                     "(SOURCE is the folder holding "
                                                     "publication.yaml)\n")
    (tmp_path / "notes.txt").write_text("a file given as SOURCE")
    result = run("check", str(tmp_path / "notes.txt"))
    assert (result.returncode, result.stderr) == (2, f"transfo-print: {tmp_path}/notes.txt is a "
                                                     "file (SOURCE is the folder holding "
                                                     "publication.yaml)\n")
    result = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "holds no publication.yaml, so it is not a publication" in result.stderr
    result = run("build", cwd=tmp_path)  # no publication.yaml here, no sheets/
    assert result.returncode == 2
    assert "no publication.yaml in the current folder and no folder sheets/" in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "build").exists()


def test_a_mistake_in_the_publication_does_not_hide_the_sheets_mistakes(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    edit(source, "publication.yaml", "date: 2023-11-09", "date: 2023-13-45")
    edit(source, "02-check-the-mirrors.yaml", "title: Check the mirrors", "title: 5")
    publication, sheet = source / "publication.yaml", source / "02-check-the-mirrors.yaml"
    result = run("check", str(source))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{sheet}:2:1: error: title: expected text, found a number",
        f"{publication}:4:7: error: date: month must be in 1..12",
        "2 error(s)"]


def test_command_line_mistakes_are_said_by_the_command(tmp_path):
    result = run("build", "--papr", "a3")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == ("transfo-print build: error: unrecognized "
                                              "arguments: --papr (did you mean --paper?)")
    result = run("build", "-j", "0")
    assert result.returncode == 2 and "expected a number of processes from 1" in result.stderr
    result = run("watch", str(MINI), "--web", "--port", "99999")  # was OverflowError at bind
    assert result.returncode == 2 and "expected a port from 1 to 65535" in result.stderr
    result = run("build", str(MINI), "--only", "2,9", "--out", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (
        2, f"transfo-print: --only: {MINI} has no sheet 09 (its sheets are 01, 02, 03)\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [
    ["web", str(MINI), "--out", "{under_a_file}"],
    ["cards", str(MINI), "--out", "{under_a_file}"],
    ["impose", "{booklet}", "--out", "{under_a_file}"],
    ["preview", "{booklet}", "--out", "{under_a_file}"],
    ["new", "{under_a_file}"],
    ["schema", "{under_a_file}"],
])
def test_an_output_that_cannot_be_written_is_one_line(tmp_path, mini, command):
    """A read-only disk, a full one or a path under a file: the file named, no traceback.
    (A path under a file stands for them all: the tests may run as root, which ignores
    permissions.)"""
    (tmp_path / "a-file").write_text("")
    places = {"under_a_file": str(tmp_path / "a-file" / "out"), "booklet": str(mini.booklet)}
    result = run(*(part.format(**places) for part in command), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"transfo-print: {tmp_path / 'a-file' / 'out'}")
    assert result.stderr.rstrip().endswith("Not a directory"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_schema_writes_into_a_folder_it_makes(tmp_path):
    result = run("schema", str(tmp_path / "new" / "schemas"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "new" / "schemas").iterdir()) == [
        "publication.schema.json", "sheet.schema.json"]


@pytest.mark.parametrize("command", ["impose", "preview", "preflight"])
def test_a_file_that_is_no_pdf_is_one_line(tmp_path, command):
    """Given a PDF, these commands need no publication: run where there is none."""
    (tmp_path / "notes.pdf").write_text("not a PDF at all")
    result = run(command, "notes.pdf", "--out" if command != "preflight" else "--build",
                 str(tmp_path / "out"), cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()[0][:38]) == (
        2, "transfo-print: notes.pdf: not a readab"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_check_counts_the_warnings(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    sheet = source / "01-start-the-engine.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace("title: Start the engine",
                                                      "title: " + "Long title " * 10), "utf-8")
    result = run("check", cwd=source)  # the current folder holds publication.yaml
    assert result.returncode == 0
    assert result.stdout == "src: 3 sheets, no errors, 1 warning\n"  # the folder named, not `.`
    assert result.stderr.startswith("01-start-the-engine.yaml:2:1: warning: title:")


# --- a new publication ---------------------------------------------------------------------


def test_new_writes_a_publication_that_builds_at_once(tmp_path):
    from transfo_print.load import load

    folder = tmp_path / "Field Guide"
    result = run("new", str(folder), "--sheets", "2")
    assert result.returncode == 0, result.stderr
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert names == ["01-sheet-1.yaml", "02-sheet-2.yaml", "figures/bracket.svg",
                     "publication.schema.json", "publication.yaml", "sheet.schema.json"]
    for path in folder.glob("*.yaml"):
        assert path.read_text("utf-8").startswith("# yaml-language-server: $schema="), path
    book = load(folder)
    assert (book.publication.title, book.publication.output) == ("Field Guide", "field-guide")
    for entry in book.sheets:  # every kind of block, figure and part is shown
        sections = entry.sheet.sections
        kinds = {b.kind for part in (sections.hypothesis, sections.observations,
                                     sections.lessons) for b in part.blocks}
        assert kinds == {"heading", "text", "caption", "list"}
        assert sections.testimonials and len(sections.challenges.items) == 2
        assert [bool(f.callouts) for f in entry.sheet.figures] == [True, False]
        assert entry.sheet.figures[1].highlight
    built = run("build", "--strict", "--out", "pdfs", cwd=folder)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""  # no warning: the skeleton is a clean start
    assert sorted(str(p.relative_to(folder / "pdfs")) for p in (folder / "pdfs").rglob("*.pdf")) \
        == ["field-guide.pdf", "sheets/01-sheet-1.pdf", "sheets/02-sheet-2.pdf"]
    assert "Title of sheet 2" in pdftotext(folder / "pdfs" / "field-guide.pdf")
    cards = run("cards", cwd=folder)
    assert cards.returncode == 0, cards.stderr
    assert (folder / "build" / "print" / "field-guide-cards.pdf").is_file()


def test_new_in_french_lists_every_label_it_leaves_to_the_defaults(tmp_path):
    from transfo_print.load import load

    folder = tmp_path / "fr"
    assert run("new", str(folder), "--language", "fr", "--sheets", "10").returncode == 0
    result = run("check", str(folder))
    assert (result.returncode, result.stdout, result.stderr) == (
        0, f"{folder}: 10 sheets, no errors\n", "")
    defaults = load(folder).publication.labels
    assert defaults.contents == "Sommaire"
    # uncommenting the labels written in publication.yaml changes nothing: they are the defaults
    path = folder / "publication.yaml"
    text = path.read_text("utf-8")
    head, labels = text.split("# labels:\n")
    path.write_text(head + "labels:\n" + labels.replace("#   ", "  "), "utf-8")
    assert load(folder).publication.labels == defaults


def test_new_never_writes_into_a_folder_that_holds_something(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    result = run("new", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == f"transfo-print: {tmp_path} already exists and is not empty: " \
        "nothing was written\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert run("new", str(tmp_path / "x"), "--sheets", "0").returncode == 2


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


def test_without_fork_the_commands_that_write_pdfs_say_where_they_run(monkeypatch, capsys):
    import os

    monkeypatch.delattr(os, "fork")
    assert main(["check", str(MINI)]) == 0
    assert main(["build", str(MINI), "--out", "/nonexistent"]) == 2
    assert capsys.readouterr().err == (
        "transfo-print: `build` needs Linux or macOS (it forks processes and locks files); on "
        "Windows, run it under WSL. `new`, `check`, `schema` and `preview` work anywhere.\n")


@pytest.mark.parametrize(("command", "said"), [
    ("build", "the previous outputs are untouched"),
    ("web", "each file already written is whole, the others are as they were"),
])
def test_an_interrupted_command_says_what_it_left(monkeypatch, capsys, command, said):
    """A build puts its outputs in place as one set; the web edition, the imposed booklets
    and the cards are written file by file: Ctrl-C says which."""
    from transfo_print import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, f"_{command}", interrupted)
    assert cli.main([command, str(ROOT / "sheets")]) == 130
    assert capsys.readouterr().err == f"transfo-print: interrupted; {said}\n"


def test_ctrl_c_before_the_command_takes_it_ends_quietly(monkeypatch, capsys):
    """A signal that lands while the command line is still read (before `main` takes
    signals) ends the command with status 130 and one line, not a traceback."""

    def main():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(cli, "ends_with_command", lambda: None)
    thresholds = gc.get_threshold()
    try:
        status = cli.entry()
    except KeyboardInterrupt:  # not left to end the test run
        pytest.fail("the interrupt reached the user")
    finally:
        gc.set_threshold(*thresholds)
    assert status == 130
    assert capsys.readouterr().err == "transfo-print: interrupted\n"
