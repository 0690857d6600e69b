"""Work in processes of their own, forked from the build: one per sheet, and, when a build
has more processes than sheets (a sheet saved under `watch`, a build `--only` one sheet),
one per density step the fitting tries for a sheet, side by side instead of in turn.

A forked process shares what the build holds (fonts, stylesheets) without copying it and
gives its memory back when it is done. What it sends back is plain data (JSON); a laid-out
document cannot be sent, so the trial that wins a sheet finishes it in its own process.

With Pango 1.56 a forked process makes a font map of its own before it lays text out
(render._forks_safely). Where even that cannot lay text out, the sheets' processes
are started by a fork server that has loaded the engine but never set text (`_Pristine`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import fitting, interpreter, stopping
from .diagnostics import ContentError, Interrupted, Problem

MAX_REPORTED = 20  # engine messages a worker process sends back
GO = b"g"  # the verdict that lets a trial finish its sheet
EARLY = b"e"  # a core is idle: the likeliest winner finishes the sheet, then waits for GO


class Relayed(Exception):  # noqa: N818 - not an error of its own: another process's outcome
    """What another process ended with, passed on as this one's."""

    def __init__(self, result: dict, status: int):
        super().__init__(result, status)
        self.result, self.status = result, status


def outcome(task: Callable[[], dict]) -> tuple[dict, int]:
    """Do the task: its result as plain data, and the status to leave with."""
    try:
        return task(), 0
    except Relayed as relayed:
        return relayed.result, relayed.status
    except Interrupted as stop:
        return {}, stop.exit_status
    except ContentError as error:
        return {"problems": [[str(p.path), p.line, p.column, p.message, p.severity]
                             for p in error.problems]}, 0
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which decides
        return {"failed": f"{type(error).__name__}: {error}"}, 1


def _send(pipe: int, result: dict) -> None:
    data = (json.dumps(result) + "\n").encode()
    while data:
        data = data[os.write(pipe, data):]


def _fork(work: Callable[[], int]) -> int:
    """A child process doing `work`; it leaves with its status, without running the
    parent's cleanup.

    The child's collector leaves alone what it inherits (`gc.freeze`): collecting it would
    walk every object of the build, and write to each, so that the child copies pages it
    only reads (about 0.4 s of CPU over the seven shipped sheets)."""
    parent = os.getpid()
    gc.freeze()
    try:
        pid = os.fork()
    finally:
        if os.getpid() == parent:
            gc.unfreeze()  # the build itself still collects what it no longer uses
    if pid == 0:
        status = 1
        try:
            stopping.after_fork()
            status = work()
        finally:
            os._exit(status)
    return pid


def _exit_status(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


STOPPED = (128 + signal.SIGINT, 128 + signal.SIGTERM)  # exit statuses of Interrupted


def _stopped_by_signal(status: int) -> None:
    if status in STOPPED:
        raise Interrupted(status - 128)


def _report(task: Callable[[], dict], pipe: int) -> int:
    """Do the task in this process and send its result through `pipe`; its status."""
    result, status = outcome(task)
    _send(pipe, result)
    return status


class _Forked:
    """A process forked from this one, doing `task`; its report comes through `reports`."""

    def __init__(self, task: Callable[[], dict]):
        read, write = os.pipe()

        def work() -> int:
            os.close(read)
            return _report(task, write)

        self.pid = _fork(work)
        os.close(write)
        self.reports = read

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.reports)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)

    def wait(self) -> int:
        return _exit_status(self.pid)


def _pristine_work(task: Callable[[], dict], reports) -> None:
    status = 1
    try:
        with stopping.interrupts():  # as the command runs (interpreter.py)
            status = interpreter.run(lambda: _report(task, reports.fileno()))
    finally:  # as a forked process leaves: with its status, quietly, even if the build is gone
        os._exit(status)


class _Pristine:
    """A process doing `task`, forked by a server that never laid text out (multiprocessing's
    fork server, which imports `pristine` first): where a copy of this process cannot lay
    text out, a copy of that one can. `task` is sent to it pickled."""

    def __init__(self, task: Callable[[], dict]):
        import multiprocessing

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([f"{__package__}.pristine"])
        self._read, write = context.Pipe(duplex=False)
        self.process = context.Process(target=_pristine_work, args=(task, write), daemon=True)
        try:
            self.process.start()
        finally:
            write.close()
        self.reports = self._read.fileno()

    def close(self) -> None:
        self._read.close()

    def kill(self) -> None:
        self.process.kill()

    def wait(self) -> int:
        self.process.join()
        return self.process.exitcode


def pristine_processes() -> bool:
    """Whether this system can start processes from a server that never laid text out."""
    import multiprocessing

    return "forkserver" in multiprocessing.get_all_start_methods()


def run_forked(tasks: list[Callable[[], dict]], sources: list[Path], processes: int,
               done: Callable[[int, dict], None] = lambda index, report: None,
               how: str = "fork") -> list[dict]:
    """Run each task in a process of its own, `processes` at a time; their results (plain
    data), in order. `how`: "fork" (processes forked from this one), "pristine" (from a
    server that never laid text out, for where Pango cannot lay out in a forked copy of
    this process; the tasks must be picklable) or "here" (one after another in this
    process). A task that fails is reported against its source; a signal stops them all;
    a task that fails stops the others."""
    results: list[dict] = [{} for _ in tasks]

    def finished(index: int, report: dict, status: int) -> None:
        _stopped_by_signal(status)
        if status != 0:
            failure = report.get("failed", f"exit status {status}")
            raise ContentError([Problem(sources[index], 1, 1,
                                        f"a PDF could not be made: {failure}")])
        results[index] = report
        done(index, report)

    if how == "here":
        for index, task in enumerate(tasks):
            finished(index, *outcome(task))
        return results
    start = _Pristine if how == "pristine" else _Forked
    waiting = list(range(len(tasks)))
    running: dict[int, tuple[_Forked | _Pristine, int, list[bytes]]] = {}  # by read end

    try:
        while waiting or running:
            while waiting and len(running) < max(1, processes):
                index = waiting.pop(0)
                with stopping.held_back():  # until the process is in `running`
                    try:
                        process = start(tasks[index])
                    except (OSError, EOFError) as error:  # no process, or no fork server
                        raise ContentError([Problem(sources[index], 1, 1, (
                            f"a PDF could not be made: no process could be started ({error})"))
                        ]) from None
                    running[process.reports] = (process, index, [])
            for read in stopping.ready({read: read for read in running}):
                process, index, chunks = running[read]
                chunk = os.read(read, 1 << 16)
                if chunk:
                    chunks.append(chunk)
                    continue
                process.close()
                del running[read]
                finished(index, json.loads(b"".join(chunks) or b"{}"), process.wait())
    except BaseException:
        for process, _, _ in running.values():
            process.close()
            process.kill()
            process.wait()
        raise
    return results


# --- density steps side by side -----------------------------------------------------------

Trial = Callable[[int], tuple[float, Callable[[], dict]]]


@dataclass
class _Running:
    """A trial's process: it sends its shortfall, then waits for the verdict."""

    pid: int
    scores: int  # read end: the shortfall, then (if it wins) the sheet's result
    verdict: int  # write end
    lines: list[bytes] = field(default_factory=list)

    def close(self) -> None:
        for fd in (self.scores, self.verdict):
            with contextlib.suppress(OSError):
                os.close(fd)


def _trial_process(trial: Trial, step: int, scores: int, verdict: int) -> int:
    finish: list[Callable[[], dict]] = []

    def lay_out() -> dict:
        shortfall, finishing = trial(step)
        finish.append(finishing)
        return {"shortfall": shortfall}

    result, status = outcome(lay_out)
    _send(scores, result)
    word = os.read(verdict, 1) if finish else b""
    if word not in (GO, EARLY):  # lost, or the coordinator is gone
        return status
    result, status = outcome(finish[0])
    if word == EARLY and os.read(verdict, 1) != GO:  # finished in vain: another step won
        return status
    _send(scores, result)
    return status


def side_by_side(order: list[int], width: int, trial: Trial, likely: int | None = None
                 ) -> dict:
    """A sheet fitted with its density steps tried `width` at a time, each in a process of
    its own; the result of the one the fitting keeps (fitting.chosen_step), which finishes
    the sheet. `trial(step)` lays the sheet out at `step` and returns its shortfall and
    what finishes the sheet from that layout. `likely` (the step kept the last time the
    sheet was made) is started beside the default: it changes when steps are tried, never
    which is kept.

    The likeliest winner so far finishes the sheet before it is known to win, and is
    stopped if another step wins: one at a time, since they all finish into one file. It
    does so on an idle core when no step is left to start, or at once, beside the trials
    still to come, when it meets the rules: it then loses only to a step before it that
    meets them too."""
    shortfalls: dict[int, float] = {}
    waiting = list(order)
    if likely in waiting[1:]:
        waiting.remove(likely)
        waiting.insert(1, likely)
    trials: dict[int, _Running] = {}  # by step: laying out, or waiting for the verdict
    early: list[int] = []  # the step finishing before it is known to win
    leaving: list[int] = []  # stopped trials' processes, not yet waited for

    def start(step: int) -> None:
        scores_read, scores_write = os.pipe()
        verdict_read, verdict_write = os.pipe()

        def work() -> int:
            for other in trials.values():  # a trial stops when the coordinator closes its end
                other.close()
            os.close(scores_read)
            os.close(verdict_write)
            return _trial_process(trial, step, scores_write, verdict_read)

        with stopping.held_back():  # until the process is in `trials`
            pid = _fork(work)
            os.close(scores_write)
            os.close(verdict_read)
            trials[step] = _Running(pid, scores_read, verdict_write)

    def stop(step: int) -> None:
        running = trials.pop(step)
        if step not in shortfalls or step in early:  # at work: nothing to wait for
            with contextlib.suppress(OSError):
                os.kill(running.pid, signal.SIGKILL)
            early[:] = [s for s in early if s != step]
        running.close()  # one waiting for its verdict leaves now
        leaving.append(running.pid)  # waited for at the end, not before the next start

    def laying_out() -> int:
        return sum(s not in shortfalls for s in trials)

    def read_line(running: _Running) -> dict | None:
        chunk = os.read(running.scores, 1 << 16)
        running.lines.append(chunk)
        data = b"".join(running.lines)
        if chunk and not data.endswith(b"\n"):
            return None
        running.lines.clear()
        return json.loads(data) if data else {}

    try:
        while (winner := fitting.chosen_step(order, shortfalls)) is None:
            for step in [s for s in trials if not fitting.may_be_chosen(order, shortfalls, s)]:
                stop(step)
            waiting = [s for s in waiting if fitting.may_be_chosen(order, shortfalls, s)]
            while waiting and laying_out() < width:
                start(waiting.pop(0))
            done = [s for s in trials if s in shortfalls]
            if not early and done:
                likeliest = min(done, key=lambda s: (shortfalls[s], order.index(s)))
                if not shortfalls[likeliest] or (not waiting and laying_out() < width):
                    os.write(trials[likeliest].verdict, EARLY)
                    early.append(likeliest)
            for step in stopping.ready({running.scores: step for step, running
                                        in trials.items() if step not in shortfalls}):
                message = read_line(trials[step])
                if message is None:
                    continue
                if "shortfall" not in message:  # it failed: the sheet fails so
                    running = trials.pop(step)
                    running.close()
                    status = _exit_status(running.pid)
                    if not message and status not in STOPPED:  # killed without a word
                        message, status = {"failed": f"exit status {status}"}, 1
                    raise Relayed(message, status)
                shortfalls[step] = message["shortfall"]
        for step in [s for s in trials if s != winner]:
            stop(step)
        running = trials.pop(winner)
        os.write(running.verdict, GO)
        data = b""
        while chunk := os.read(running.scores, 1 << 16):
            data += chunk
        running.close()
        status = _exit_status(running.pid)
        result = json.loads(data) if data else {"failed": f"exit status {status}"}
        if status:
            raise Relayed(result, status)
        return result
    except BaseException:
        for step in list(trials):
            stop(step)
        raise
    finally:
        for pid in leaving:
            _exit_status(pid)
