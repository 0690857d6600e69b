"""Sheets made in processes of their own (transfo_print/workers.run_forked): forked from
the build, or started by a server that never laid text out where a forked copy of the
build cannot lay text out (Pango 1.56), or one after another in the build's process."""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from transfo_print import workers
from transfo_print.diagnostics import ContentError, Interrupted
from transfo_print.stopping import interrupts

WAYS = ["fork", "pristine", "here"]


def square(n: int) -> dict:
    return {"square": n * n, "pid": os.getpid(), "parent": os.getppid()}


def fail() -> dict:
    raise ValueError("no such drawing")


def wait_long(record: Path) -> dict:
    """Note this process's id in `record` (whole once it exists), then wait 30 s."""
    written = record.with_name(record.name + ".part")
    written.write_text(str(os.getpid()))
    written.rename(record)
    time.sleep(30)
    return {}


def gone(pid: int) -> bool:
    """Ended: no such process, or one that only waits to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.parametrize("how", WAYS)
def test_every_way_gives_the_results_in_order(how):
    tasks = [functools.partial(square, n) for n in range(5)]
    results = workers.run_forked(tasks, [Path(f"{n}.yaml") for n in range(5)], 2, how=how)
    assert [r["square"] for r in results] == [0, 1, 4, 9, 16]
    pids = {r["pid"] for r in results}
    if how == "here":
        assert pids == {os.getpid()}
    else:
        assert os.getpid() not in pids and len(pids) == 5  # one process per task
    # a pristine process is not a copy of this one: the fork server started it
    assert all((r["parent"] == os.getpid()) == (how == "fork") for r in results)


@pytest.mark.parametrize("how", WAYS)
def test_a_task_that_fails_is_reported_against_its_source(how):
    tasks = [functools.partial(square, 2), fail]
    with pytest.raises(ContentError) as raised:
        workers.run_forked(tasks, [Path("a.yaml"), Path("b.yaml")], 2, how=how)
    [problem] = raised.value.problems
    assert problem.path == Path("b.yaml")
    assert "ValueError: no such drawing" in problem.message


@pytest.mark.parametrize("how", ["fork", "pristine"])
@pytest.mark.parametrize("thread", ["waiting", "another"])
def test_a_signal_stops_the_build_and_leaves_no_process(how, thread, tmp_path):
    """Whichever thread SIGTERM is delivered to (sent to the process, the kernel picks
    one: Pango 1.56 and pytest-xdist start threads of their own), the build stops at once,
    not when a task ends (after 30 s)."""
    record = tmp_path / "waiting"
    tasks = [functools.partial(wait_long, record),
             functools.partial(wait_long, tmp_path / "also waiting")]

    def stop_the_build() -> None:
        while not record.exists():
            time.sleep(0.01)
        target = threading.main_thread() if thread == "waiting" else threading.current_thread()
        signal.pthread_kill(target.ident, signal.SIGTERM)

    threading.Thread(target=stop_the_build, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(Interrupted), interrupts():
        workers.run_forked(tasks, [Path("a.yaml"), Path("b.yaml")], 2, how=how)
    assert time.monotonic() - started < 15
    waiting = int(record.read_text())
    deadline = time.monotonic() + 5
    while not gone(waiting) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(waiting)


@pytest.mark.parametrize("how", ["fork", "pristine"])
def test_a_signal_while_a_process_starts_stops_that_process_too(how, tmp_path, monkeypatch):
    """SIGTERM lands just after a process is made, before the build has noted it down."""
    record = tmp_path / "waiting"
    name = {"fork": "_Forked", "pristine": "_Pristine"}[how]
    start = getattr(workers, name)

    def signalled_at_birth(task):
        process = start(task)
        while not record.exists():
            time.sleep(0.01)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)
        return process

    monkeypatch.setattr(workers, name, signalled_at_birth)
    with pytest.raises(Interrupted), interrupts():
        workers.run_forked([functools.partial(wait_long, record)], [Path("a.yaml")], 1, how=how)
    waiting = int(record.read_text())
    deadline = time.monotonic() + 5
    while not gone(waiting) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(waiting)


def test_a_process_that_cannot_be_started_is_an_error_on_its_sheet(monkeypatch):
    def no_server(task):
        raise OSError("the fork server is gone")

    monkeypatch.setattr(workers, "_Pristine", no_server)
    with pytest.raises(ContentError) as raised:
        workers.run_forked([functools.partial(square, 1)], [Path("a.yaml")], 2, how="pristine")
    [problem] = raised.value.problems
    assert problem.path == Path("a.yaml") and "the fork server is gone" in problem.message


def inherited_left_alone() -> dict:
    """What a forked process's collector does with the objects it inherited."""
    import gc

    return {"frozen": gc.get_freeze_count()}


def test_a_forked_process_leaves_what_it_inherits_to_the_build():
    """A forked process's collector does not walk the build's objects (copying every page
    it writes to while walking), and the build keeps collecting its own."""
    import gc

    kept = [object() for _ in range(1000)]  # noqa: F841 - objects the child inherits
    reports = workers.run_forked([inherited_left_alone], [Path("01.yaml")], 1)
    assert reports[0]["frozen"] > 1000
    assert gc.get_freeze_count() == 0
