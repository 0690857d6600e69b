"""The fitting's density steps, tried in turn or side by side in processes of their own:
the same step is kept either way, and so the same pages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from transfo_print import fitting, furniture, workers
from transfo_print.diagnostics import ContentError, Problem
from transfo_print.paths import DEFAULT_LAYOUT, FONTS
from transfo_print.stopping import interrupts

ORDER = fitting.step_order(3)


def kept(shortfalls: dict[int, float]) -> int:
    """What the fitting promises: the first step in order that meets the rules, or else the
    first of the least shortfall."""
    return min(ORDER, key=lambda step: (shortfalls[step], ORDER.index(step)))


def test_steps_are_tried_nearest_first_denser_first():
    assert ORDER == [0, -1, 1, -2, 2, -3, 3]


shortfall_tables = st.lists(st.sampled_from([0.0, 0.0, 0.05, 0.1, 0.3]), min_size=len(ORDER),
                            max_size=len(ORDER)).map(
    lambda values: dict(zip(ORDER, values, strict=True)))


@settings(max_examples=300, deadline=None)
@given(shortfall_tables, st.permutations(ORDER))
def test_a_step_is_chosen_only_when_no_other_result_can_change_it(shortfalls, arrival):
    known: dict[int, float] = {}
    for step in arrival:
        known[step] = shortfalls[step]
        chosen = fitting.chosen_step(ORDER, known)
        assert chosen in (None, kept(shortfalls))
        # the step that will be kept is never given up on
        assert fitting.may_be_chosen(ORDER, known, kept(shortfalls))
        for other in ORDER:
            if not fitting.may_be_chosen(ORDER, known, other):
                assert other != kept(shortfalls)
    assert fitting.chosen_step(ORDER, known) == kept(shortfalls)


@settings(max_examples=200, deadline=None)
@given(shortfall_tables)
def test_steps_tried_in_turn_stop_at_the_first_that_meets_the_rules(shortfalls):
    tried = []

    def lay_out(keep_whole, step):
        tried.append(step)
        return step

    original = fitting.sheet_shortfall
    fitting.sheet_shortfall = lambda document, column_of: shortfalls[document]
    try:
        step, document = fitting.choose_density(lay_out, None, 3)
    finally:
        fitting.sheet_shortfall = original
    assert step == document == kept(shortfalls)
    meets = [s for s in ORDER if not shortfalls[s]]
    assert tried == (ORDER[:ORDER.index(meets[0]) + 1] if meets else ORDER)


def no_children_left() -> bool:
    """No process this one started is left, running or unreaped. The fork server that starts
    pristine processes (workers._Pristine) and its resource tracker live as long as this
    process and do not count."""
    mine = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = stat.read_text().rsplit(")", 1)[1].split()[1]
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):  # ended meanwhile
            continue
        if parent == mine and b"from multiprocessing." not in command:
            return False
    return True


@pytest.mark.parametrize(("width", "likely"), [(2, None), (3, None), (2, -2), (2, 3)])
@pytest.mark.parametrize("table", [
    {0: 0.0, -1: 0.1, 1: 0.0, -2: 0.0, 2: 0.3, -3: 0.1, 3: 0.0},  # the default meets the rules
    {0: 0.2, -1: 0.1, 1: 0.1, -2: 0.0, 2: 0.0, -3: 0.3, 3: 0.0},  # a later step does
    {0: 0.2, -1: 0.1, 1: 0.05, -2: 0.3, 2: 0.05, -3: 0.1, 3: 0.2},  # none: least, first
])
def test_steps_side_by_side_keep_the_step_tried_in_turn_would(tmp_path, width, likely, table):
    """Each trial runs in a process of its own; the kept one finishes the sheet, the last
    to finish it (another may have begun to, and was stopped). The step tried first beside
    the default (`likely`, the one kept the last time) changes nothing of that."""
    record = tmp_path / "finished"

    def trial(step):
        def finish():
            with open(record, "a") as file:
                file.write(f"{step}\n")
            return {"step": step, "pid": os.getpid()}
        return table[step], finish

    result = workers.side_by_side(ORDER, width, trial, likely)
    assert result["step"] == kept(table)
    assert result["pid"] != os.getpid()
    assert record.read_text().split()[-1] == str(kept(table))
    assert no_children_left()


@pytest.mark.parametrize("winner", [0, -1])
def test_the_likeliest_step_finishes_on_an_idle_core_before_it_is_known_to_win(
        tmp_path, winner):
    """Steps 0 and -1 side by side: -1 meets the rules at once, 0 takes a second to be laid
    out. -1 finishes the sheet meanwhile; it is kept if 0 falls short, and stopped, its
    work thrown away, if 0 meets the rules (it comes first)."""
    record = tmp_path / "events"

    def note(event: str) -> None:
        with open(record, "a") as file:
            file.write(f"{event}\n")

    def trial(step):
        if step == 0:
            time.sleep(1.5)
        note(f"laid out {step}")

        def finish():
            note(f"finished {step}")
            return {"step": step}
        return (0.0 if step in (winner, -1) else 0.3), finish

    result = workers.side_by_side([0, -1, 1], 2, trial)
    assert result["step"] == winner
    events = record.read_text().splitlines()
    assert events.index("finished -1") < events.index("laid out 0")
    assert [e for e in events if e.startswith("finished")][-1] == f"finished {winner}"
    assert "laid out 1" not in events  # step -1 meets the rules: step 1 cannot win
    assert no_children_left()


def test_the_step_kept_last_time_is_tried_first_and_finishes_beside_the_others(tmp_path):
    """A sheet saved under watch: step -2 was kept the last time. It is laid out beside
    the default, and, meeting the rules, finishes the sheet while -1 and 1 (which come
    before it) are still being laid out, instead of after them."""
    record = tmp_path / "events"

    def note(event: str) -> None:
        with open(record, "a") as file:
            file.write(f"{event}\n")

    def trial(step):
        note(f"started {step}")
        if step in (-1, 1):
            time.sleep(1.5)
        note(f"laid out {step}")

        def finish():
            note(f"finished {step}")
            return {"step": step}
        return (0.0 if step == -2 else 0.2), finish

    result = workers.side_by_side(ORDER, 2, trial, likely=-2)
    assert result["step"] == -2
    events = record.read_text().splitlines()
    assert events.index("finished -2") < events.index("laid out -1")
    assert events.index("finished -2") < events.index("laid out 1")
    assert not any(e.endswith((" 2", " -3", " 3")) for e in events)  # -2 is before them
    assert no_children_left()


def test_a_failing_trial_fails_the_sheet_and_leaves_no_process():
    def trial(step):
        if step == -1:
            raise ContentError([Problem(ROOT / "sheet.yaml", 3, 1, "no such figure")])
        return 0.5, lambda: {"step": step}

    with pytest.raises(workers.Relayed) as raised:
        workers.side_by_side(ORDER, 2, trial)
    assert raised.value.status == 0
    assert raised.value.result["problems"][0][1:4] == [3, 1, "no such figure"]
    assert workers.outcome(lambda: workers.side_by_side(ORDER, 2, trial)) == (
        raised.value.result, 0)
    assert no_children_left()


@pytest.mark.parametrize("how", ["killed", "interrupted"])
def test_a_trial_killed_or_interrupted_stops_the_sheet(how):
    def trial(step):
        if step == -1:
            os.kill(os.getpid(), signal.SIGKILL if how == "killed" else signal.SIGINT)
            time.sleep(5)
        return 0.5, lambda: {"step": step}

    with interrupts():
        result, status = workers.outcome(lambda: workers.side_by_side(ORDER, 2, trial))
    if how == "killed":
        assert (result, status) == ({"failed": "exit status -9"}, 1)
    else:
        assert (result, status) == ({}, 128 + signal.SIGINT)
    assert no_children_left()


def test_a_sheet_alone_with_two_processes_gives_the_same_bytes(built, tmp_path):
    """Sheet 02 tries four density steps: with `-j 2` and one sheet, two at a time."""
    out = tmp_path / "alone"
    done = subprocess.run([sys.executable, "-m", "transfo_print", "build", str(built.book.folder),
                           "--out", str(out), "--only", "2", "-j", "2"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    sheet = built.sheets[1]
    assert (out / "sheets" / sheet.name).read_bytes() == sheet.read_bytes()


def test_a_layout_without_the_furniture_falls_as_the_complete_sheet_does(built):
    """The fitting's layouts leave the frame, band and title block out (they are fixed, and
    take no room in the text's flow): their pages break and fill as the whole HTML's do,
    and the same words break badly, so the fitting keeps the same step from either."""
    from transfo_print.build import Builder

    builder = Builder(built.book)
    column_of = builder.ts.column_of
    marked, bare = furniture.split(builder.ts.sheet_html(built.book.sheets[0]))
    assert 'class="frame"' in marked and 'class="frame"' not in bare
    for entry in built.book.sheets:
        layouts = builder.sheet_layout(entry, [])
        for step in (0, -1):
            without = layouts(frozenset(), step)
            body = without.pages[0]._page_box.children[0].children[0]  # <html>, then <body>
            assert all(child.style["position"] != "fixed" for child in body.children)
            complete = builder.lay_out(builder.ts.sheet_html(entry, step=step), entry.slug,
                                       entry.path)
            assert len(without.pages) == len(complete.pages), (entry.slug, step)
            assert fitting.page_fill(without, column_of) == fitting.page_fill(complete, column_of)
            assert (fitting.words_to_keep_whole(without, column_of)
                    == fitting.words_to_keep_whole(complete, column_of)), (entry.slug, step)
        assert len(layouts.lent.boxes) == 3  # the furniture, laid out alone


@pytest.mark.parametrize("paper", ["a4", "a3", "a5", "letter"])
def test_a_furnished_layout_writes_the_bytes_of_a_complete_one(built, tmp_path, paper):
    """A sheet's furniture is laid out once, alone, and given to the layout that is written
    (furniture.py): at the densest and the loosest step of each paper, the PDF is the same,
    byte for byte, as from a layout of the whole HTML, on the longest shipped sheet (so on
    pages after the first too)."""
    from transfo_print.build import Builder
    from transfo_print.options import Options

    builder = Builder(built.book, options=Options(paper=paper))
    steps = builder.ts.paper.fit_steps
    entry = max(built.book.sheets, key=lambda e: len(builder.ts.sheet_html(e)))
    layouts = builder.sheet_layout(entry, [])

    def same_bytes(document, step: int) -> bool:
        complete = builder.lay_out(builder.ts.sheet_html(entry, step=step), entry.slug,
                                   entry.path)
        assert len(document.pages) == len(complete.pages) > 1
        for name, laid_out in (("furnished", document), ("complete", complete)):
            builder.write_sheet(entry, tmp_path / f"{name}.pdf", laid_out, [])
        return (tmp_path / "furnished.pdf").read_bytes() == (tmp_path / "complete.pdf"
                                                                ).read_bytes()

    for step in (-steps, steps):
        document = layouts.furnished(layouts(frozenset(), step))
        boxes = layouts.lent.boxes  # the frame, band and title block, laid out once
        body = document.pages[0]._page_box.children[0].children[0]  # <html>, then <body>
        assert len(boxes) == 3 and tuple(body.children[:3]) == boxes
        assert same_bytes(document, step), step
        assert layouts.furnished(document) is document  # furnished once
    # laid out by the build's process, as `watch` lends it to the processes of the next save
    builder.lend_furniture(entry)
    if builder.renderer.forks_share_fonts:
        layouts = builder.sheet_layout(entry, [])
        assert layouts.lent is builder.furniture[entry.path]
        assert same_bytes(layouts.furnished(layouts(frozenset(), steps)), steps)


def test_a_sheet_finished_at_another_step_first_is_the_sheet_a_build_writes(built, tmp_path):
    """Under `watch` a save's process may lay the sheet out first at the step the fitting
    then keeps (a step other than the default, tried only to be ruled out: it lays the
    furniture out only when it wins), and keep its words whole from there: the same PDF,
    byte for byte, as the build's, whether or not the sheet has such words."""
    from transfo_print.build import Builder

    builder = Builder(built.book)
    column_of, steps = builder.ts.column_of, builder.ts.paper.fit_steps
    for entry, written in zip(built.book.sheets, built.sheets, strict=True):
        step, _ = fitting.choose_density(builder.sheet_layout(entry, []), column_of, steps)
        layouts = builder.sheet_layout(entry, [], lazy=True)
        document = fitting.keep_words_whole(layouts, column_of, step, layouts(frozenset(), step))
        assert layouts.lent is None  # not laid out yet
        builder.write_sheet(entry, tmp_path / written.name, layouts.furnished(document), [])
        assert (tmp_path / written.name).read_bytes() == written.read_bytes(), entry.slug


@pytest.mark.parametrize("change", ["marks taken out", "a paragraph in the furniture"])
def test_a_layout_whose_furniture_cannot_be_lent_lays_out_every_time(built, tmp_path, change):
    """A layout of one's own without the marks, or with something marked that is not fixed
    to the page (it could take room in the text's flow): nothing is lent, every layout
    lays out the whole HTML, and nothing is lost."""
    import shutil

    from transfo_print.build import Builder

    layout = tmp_path / "layouts" / "mine"
    shutil.copytree(DEFAULT_LAYOUT, layout)
    (tmp_path / "fonts").symlink_to(FONTS)  # where the layout's url()s lead
    base = (layout / "base.html.j2").read_text("utf-8")
    assert base.count(furniture.START) == base.count(furniture.END) == 1
    if change == "marks taken out":
        base = base.replace(furniture.START, "").replace(furniture.END, "")
    else:
        base = base.replace(furniture.END, '<p class="stray">Stray words</p>\n' + furniture.END)
    (layout / "base.html.j2").write_text(base, "utf-8")
    builder = Builder(built.book, layout)
    entry = built.book.sheets[0]
    layouts = builder.sheet_layout(entry, [])
    first = layouts(frozenset(), 0)
    assert furniture.of(first, furniture.split(builder.ts.sheet_html(entry))[0]) is None
    assert layouts.lent is None
    later = layouts(frozenset(), -1)
    assert layouts.furnished(later) is later
    # a step tried only to be ruled out leaves the furniture out; if it wins, it is given it
    lazy = builder.sheet_layout(entry, [], lazy=True)
    trial = lazy(frozenset(), -1)
    won = lazy.furnished(trial)
    assert (won is trial) == (change == "marks taken out")
    for name, document in (("later", later), ("won", won)):
        builder.write_sheet(entry, tmp_path / f"{name}.pdf", document, [])
        text = subprocess.run(["pdftotext", str(tmp_path / f"{name}.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert builder.ts.sheet_label(entry) in text  # the band, laid out again
        assert ("Stray words" in text) == (change != "marks taken out")
    assert (tmp_path / "won.pdf").read_bytes() == (tmp_path / "later.pdf").read_bytes()
