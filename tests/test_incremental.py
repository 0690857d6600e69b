"""Builds that do less: skipped when nothing changed, parallel writers, watch mode."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI, ROOT, pdftotext

from transfo_print.build import Builder
from transfo_print.diagnostics import ContentError, Problem
from transfo_print.paths import DEFAULT_LAYOUT, FONTS
from transfo_print.watch import Watcher


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "transfo_print", *args], cwd=ROOT,
                          capture_output=True, text=True)


def pdfs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def test_parallel_writers_give_the_same_bytes(tmp_path):
    assert run("build", str(MINI), "--out", str(tmp_path / "one"), "-j", "1").returncode == 0
    assert run("build", str(MINI), "--out", str(tmp_path / "two"), "-j", "2").returncode == 0
    assert pdfs(tmp_path / "one") == pdfs(tmp_path / "two")
    assert len(pdfs(tmp_path / "two")) == 4


def test_an_unchanged_build_is_skipped_and_a_change_is_not(tmp_path):
    source, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(MINI, source)
    assert run("build", str(source), "--out", str(out), "--only", "3").returncode == 0
    before = pdfs(out)
    assert set(before) == {"field-notes-sheets-03.pdf", "sheets/03-park-safely.pdf"}
    again = run("build", str(source), "--out", str(out), "--only", "3")
    assert "up to date" in again.stdout
    # the up-to-date path reads files and hashes; it imports neither the model nor the engine
    probe = ("import sys; from transfo_print.cli import main; "
             f"main(['build', {str(source)!r}, '--out', {str(out)!r}, '--only', '3', '--quiet']); "
             "print(sorted(m for m in ('transfo_print.load', 'pydantic', 'weasyprint', "
             "'jinja2') if m in sys.modules))")
    imported = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    assert imported == "[]", imported
    sheet = source / "03-park-safely.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace("Lesson paragraph", "Lesson text"), "utf-8")
    changed = run("build", str(source), "--out", str(out), "--only", "3")
    assert "built 2 PDFs" in changed.stdout
    assert pdfs(out) != before
    # an output damaged by hand is rebuilt too
    (out / "field-notes-sheets-03.pdf").write_bytes(b"broken")
    assert "built 2 PDFs" in run("build", str(source), "--out", str(out), "--only", "3").stdout


def test_watch_lays_out_only_the_edited_sheet_and_survives_mistakes(tmp_path, monkeypatch):
    source, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(MINI, source)
    lines: list[str] = []
    on_disk_when_said: dict[str, dict] = {}  # the outputs as they were when a line was said

    def report(line: str) -> None:
        lines.append(line)
        on_disk_when_said[line] = pdfs(out) if out.exists() else {}

    watcher = Watcher(source, out, DEFAULT_LAYOUT, processes=2, report=report)
    watcher.rebuild(watcher.changed_files())
    assert "wrote 4 PDFs" in lines[-1]
    assert watcher.warmed is watcher.builder  # the sheets of the next saves start warm
    first = pdfs(out)

    sheet = source / "02-check-the-mirrors.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace(
        "Lesson paragraph of sheet 2.", "Lesson paragraph of sheet 2, edited."), "utf-8")
    watcher.rebuild(watcher.changed_files())
    assert "02-check-the-mirrors: wrote 2 PDFs" in lines[-1]
    # its furniture is lent to the next save's processes (where they share this one's fonts)
    assert (sheet in watcher.builder.furniture) == watcher.builder.renderer.forks_share_fonts
    # what was made again and how long each step took
    assert re.search(r"in \d+\.\ds \(sheets \d+\.\ds, front and back matter "
                     r"(kept|made again) \d+\.\ds, booklet assembled \d+\.\ds\)$", lines[-1])
    now = pdfs(out)
    # the edited sheet's PDF is in place before the booklet is assembled
    assert re.search(r"02-check-the-mirrors: sheet PDF written in \d+\.\ds; assembling the "
                     r"booklet$", lines[-2])
    when_sheet_said = on_disk_when_said[lines[-2]]
    assert when_sheet_said["sheets/02-check-the-mirrors.pdf"] == now[
        "sheets/02-check-the-mirrors.pdf"]
    assert when_sheet_said["field-notes.pdf"] == first["field-notes.pdf"]
    assert now["field-notes.pdf"] != first["field-notes.pdf"]
    assert now["sheets/01-start-the-engine.pdf"] == first["sheets/01-start-the-engine.pdf"]
    assert now["sheets/02-check-the-mirrors.pdf"] != first["sheets/02-check-the-mirrors.pdf"]
    assert "sheet 2, edited." in pdftotext(out / "field-notes.pdf")

    sheet.write_text(sheet.read_text("utf-8").replace("title: Check the mirrors", "title: 5"))
    watcher.rebuild(watcher.changed_files())
    assert lines[-2].endswith("02-check-the-mirrors.yaml:2:1: error: title: expected text, "
                              "found a number")
    assert "the outputs are unchanged" in lines[-1]
    assert pdfs(out) == now
    said = len(lines)
    sheet.write_text(sheet.read_text("utf-8") + "\n")  # saved again with the same mistake
    watcher.rebuild(watcher.changed_files())
    assert len(lines) == said + 1, "the same problems are not listed again"
    assert re.search(r"^\[\d\d:\d\d:\d\d\] 1 error\(s\) \(as above\): the outputs are "
                     r"unchanged", lines[-1])

    # an error found while laying out (not when loading): nothing is replaced
    sheet.write_text(sheet.read_text("utf-8").replace("title: 5", "title: Check the mirrors"))
    problem = Problem(sheet, 1, 1, "a fault found while laying out")

    def failing(*args, **kwargs):
        raise ContentError([problem])

    with monkeypatch.context() as patched:
        patched.setattr(Builder, "make_sheets", failing)
        watcher.rebuild(watcher.changed_files())
    assert lines[-2] == str(problem) and "the outputs are unchanged" in lines[-1]
    assert pdfs(out) == now

    # one found while assembling the booklet: the sheet's new PDF stays, the booklet does not
    sheet.write_text(sheet.read_text("utf-8").replace("sheet 2, edited.", "sheet 2, again."))
    with monkeypatch.context() as patched:
        patched.setattr(Builder, "make_booklet", failing)
        watcher.rebuild(watcher.changed_files())
    assert "the sheet PDFs are written, the booklet is unchanged" in lines[-1]
    assert "sheet 2, again." in pdftotext(out / "sheets" / "02-check-the-mirrors.pdf")
    assert pdfs(out)["field-notes.pdf"] == now["field-notes.pdf"]
    watcher.rebuild([sheet])  # the next save makes the booklet again
    assert "sheet 2, again." in pdftotext(out / "field-notes.pdf")
    assert lines[-1].endswith("; the errors said before are gone")

    # a full build of the same sources gives what watch wrote
    assert run("build", str(source), "--out", str(tmp_path / "full")).returncode == 0
    assert pdfs(tmp_path / "full") == pdfs(out)


def test_progress_on_a_terminal_and_quiet_elsewhere(tmp_path):
    import os
    import pty

    leader, follower = pty.openpty()
    build = subprocess.Popen(
        [sys.executable, "-m", "transfo_print", "build", str(MINI), "--out",
         str(tmp_path / "tty"), "--only", "1"], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    build.wait(timeout=120)
    os.close(leader)
    assert build.returncode == 0
    text = seen.decode()
    assert "laid out 01-start-the-engine" in text and "wrote 2 PDFs" in text
    piped = run("build", str(MINI), "--out", str(tmp_path / "pipe"), "--only", "1")
    assert piped.stderr == ""


def test_an_edited_module_rebuilds(tmp_path):
    # A copy of the tool (code, layout, fonts as in a checkout), run from its own folder so
    # that it is the copy that is imported: the checkout is never touched.
    tool = tmp_path / "tool"
    for name in ("transfo_print", "layouts", "fonts"):
        shutil.copytree(ROOT / name, tool / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"

    def build() -> str:
        result = subprocess.run(
            [sys.executable, "-c", "import sys, transfo_print.cli as c; assert "
             "c.__file__.startswith(sys.argv[1]), c.__file__; sys.exit(c.main(sys.argv[2:]))",
             str(tool), "build", str(MINI), "--out", str(out), "--only", "1"],
            cwd=tool, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "built 2 PDFs" in build()
    assert "up to date" in build()
    module = tool / "transfo_print" / "typography.py"
    module.write_text(module.read_text("utf-8") + "\n# an edit\n", "utf-8")
    assert "built 2 PDFs" in build()
    assert "up to date" in build()


def test_outputs_inside_the_source_folder_are_not_edits(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    watcher = Watcher(source, source / "build", DEFAULT_LAYOUT)
    watcher.changed_files()
    (source / "build" / "sheets").mkdir(parents=True)
    (source / "build" / "sheets" / "01-start-the-engine.pdf").write_bytes(b"%PDF")
    assert watcher.changed_files() == []
    (source / "03-park-safely.yaml").write_text("number: 3\n", "utf-8")
    assert watcher.changed_files() == [source / "03-park-safely.yaml"]


def test_a_save_wakes_the_watch_without_waiting_for_its_next_poll(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    (source / "notes").mkdir()
    watcher = Watcher(source, source / "build", DEFAULT_LAYOUT)
    watcher.changed_files()
    assert watcher.saves.fd >= 0  # Linux: inotify
    assert not watcher.saves.wait(0.05)  # nothing saved: the poll's time passes
    (source / "build" / "sheets").mkdir(parents=True)
    (source / "build" / "sheets" / "01-start-the-engine.pdf").write_bytes(b"%PDF")
    assert not watcher.saves.wait(0.05)  # the outputs are no edits
    for saved in (source / "03-park-safely.yaml", source / "notes" / "plan.txt"):
        saved.write_text("number: 3\n", "utf-8")
        # woken by the save (a wait that ran its course would say False)
        assert watcher.saves.wait(30)
        assert watcher.changed_files() == [saved]
    watcher.saves.close()
    assert not watcher.saves.wait(0.05)  # closed: a sleep until the next poll


@pytest.mark.parametrize("processes", [1, 2])
def test_a_build_that_cannot_fork_gives_the_same_bytes(mini, tmp_path, monkeypatch, processes):
    """Where a forked process cannot lay text out (Pango 1.56), nothing is forked from the
    build: with `-j 2` its sheets are made by processes a fork server starts, with `-j 1`
    one after another in its own process. The same bytes as the forked build of `mini`."""
    from transfo_print import render, workers
    from transfo_print.build import build

    started = []

    class Counted(workers._Pristine):
        def __init__(self, task):
            started.append(task)
            super().__init__(task)

    monkeypatch.setattr(render, "_forks_safely", lambda renderer: False)
    monkeypatch.setattr(workers, "_fork", lambda work: pytest.fail("forked"))
    monkeypatch.setattr(workers, "_Pristine", Counted)
    build(mini.book, tmp_path / "alone", processes=processes)
    assert pdfs(tmp_path / "alone") == pdfs(mini.out)
    assert len(pdfs(tmp_path / "alone")) == 4
    assert len(started) == (len(mini.book.sheets) if processes > 1 else 0)


def test_a_build_whose_forks_need_a_font_map_of_their_own_gives_the_same_bytes(
        mini, tmp_path, monkeypatch):
    """Pango 1.56: a forked copy cannot match fonts with its parent's font map (here the
    plain probe is made never to answer; on Debian 13 it does not). Every process the
    build forks then makes a map of its own before it lays out. A sheet alone (`--only`)
    with two processes tries its density steps side by side that way: the same bytes as
    the sheet of the forked build of `mini`."""
    from transfo_print import render, workers
    from transfo_print.build import build
    from transfo_print.options import Options

    class NeverAnswers:  # a forked copy that waits for its parent's font thread for ever
        def poll(self):
            return None

        def stop(self):
            pass

    probe = render._Probe
    monkeypatch.setattr(render, "_Probe", lambda renderer, own_font_map:
                        probe(renderer, True) if own_font_map else NeverAnswers())
    events = tmp_path / "events"  # "map <pid>" and "layout <pid>", in the order they came

    def noting(what: str, function):
        def noted(renderer, *arguments, **keywords):
            with open(events, "a") as file:
                file.write(f"{what} {os.getpid()}\n")
            return function(renderer, *arguments, **keywords)
        return noted

    monkeypatch.setattr(render.Renderer, "own_font_map",
                        noting("map", render.Renderer.own_font_map))
    monkeypatch.setattr(render.Renderer, "render", noting("layout", render.Renderer.render))
    monkeypatch.setattr(workers, "_Pristine", lambda task: pytest.fail("not forked"))
    build(mini.book, tmp_path / "alone", processes=2, options=Options(only=(1,)))
    sheet = mini.sheets[0]
    assert (tmp_path / "alone" / sheet.relative_to(mini.out)).read_bytes() == sheet.read_bytes()
    # Every forked process that laid out made a map of its own (as it began to lay out). How
    # many steps were laid out depends on which finished first: the others are stopped.
    seen = [line.split() for line in events.read_text().splitlines()]
    forked = {pid for what, pid in seen if what == "layout"} - {str(os.getpid())}
    assert forked and forked <= {pid for what, pid in seen if what == "map"}, seen


def test_a_pristine_process_removes_the_font_files_it_made(mini, tmp_path, monkeypatch):
    """The engine writes a renderer's fonts to a temporary folder and removes it as it
    collects the renderer, which a pristine process, leaving by `os._exit`, never does:
    `make_sheet_afresh` removes it itself. Here the builders are held, as such a process
    holds them until it leaves."""
    import tempfile

    from transfo_print import build

    made: list[Builder] = []

    class Held(Builder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setattr(build, "Builder", Held)
    recipe = (mini.book, DEFAULT_LAYOUT, build.DEFAULT_OPTIONS, None)
    report = build.make_sheet_afresh(recipe, mini.book.sheets[0], tmp_path / "sheet.pdf")
    assert report["pages"] >= 1 and len(made) == 1
    assert list(temporary.iterdir()) == []


def test_watch_reports_a_broken_layout_and_goes_on_when_it_is_mended(tmp_path):
    """A layout of one's own, edited while watch runs: a template that does not compile and
    a font the layout may not load are errors naming the file and line, the outputs stay as
    they were, and the next save that mends them builds again."""
    source, out, layout = tmp_path / "src", tmp_path / "out", tmp_path / "my-layout"
    shutil.copytree(MINI, source)
    shutil.copytree(DEFAULT_LAYOUT, layout)
    for font in FONTS.glob("*.[ot]tf"):  # the documented way: the fonts beside the CSS
        shutil.copy(font, layout)
    css = layout / "page.css"
    css.write_text(css.read_text("utf-8").replace("../../fonts/", ""), "utf-8")
    lines: list[str] = []
    watcher = Watcher(source, out, layout, report=lines.append)
    watcher.rebuild(watcher.changed_files())
    assert "wrote 4 PDFs" in lines[-1]
    built = pdfs(out)

    template = layout / "parts.html.j2"
    good = template.read_text("utf-8")
    template.write_text(good + "\n{% if %}\n", "utf-8")
    watcher.rebuild(watcher.changed_files())
    broken_line = len(good.splitlines()) + 2
    assert lines[-2].startswith(f"{template}:{broken_line}:1: error: template: ")
    assert "the outputs are unchanged" in lines[-1]
    template.write_text(good, "utf-8")
    watcher.rebuild(watcher.changed_files())
    assert "wrote" in lines[-1] and pdfs(out) == built

    stylesheet = css.read_text("utf-8")
    font_line = next(n for n, line in enumerate(stylesheet.splitlines(), 1)
                     if "osifont.ttf" in line)
    css.write_text(stylesheet.replace("url(osifont.ttf)", "url(../../osifont.ttf)"), "utf-8")
    watcher.rebuild(watcher.changed_files())
    assert lines[-2].startswith(f"{css}:{font_line}:1: error: refused to fetch ")
    assert "the outputs are unchanged" in lines[-1] and pdfs(out) == built
    css.write_text(stylesheet, "utf-8")
    watcher.rebuild(watcher.changed_files())
    assert "wrote" in lines[-1] and pdfs(out) == built
