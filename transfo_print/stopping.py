"""Stopping a build cleanly: SIGINT and SIGTERM raise `Interrupted` in the build's main
thread, wherever it is, and the previous outputs stay as they were.

Three things make that hold:
- the layout engine swallows any exception while it paints an SVG (even KeyboardInterrupt),
  so a signal is also recorded, and `stop_point` raises it again after each step;
- a signal delivered to another thread (Pango 1.56 and pytest-xdist start threads) does not
  end the main thread's wait for its processes, so the waits watch a pipe the signal also
  writes to (`ready`);
- a process being started is not yet one the build knows to stop, so a signal is held
  back until it is (`held_back`).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import sys
import threading

from .diagnostics import Interrupted

_received: list[int] = []  # signals received during this process's build
_holding: list[bool] = []  # while a process is started
_wakeup: list[int] = []  # the read end signals write to while a build runs
_placed: list[bool] = []  # the build's outputs are in place: a signal has nothing to stop
_ending: list[bool] = []  # this process ends with its command (the command line)
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _on_signal(signum, frame):
    if _placed:
        return
    _received.append(signum)
    if not _holding:
        raise Interrupted(signum)


def received() -> bool:
    """Whether this build has received a signal (it may have been held back)."""
    return bool(_received)


def ends_with_command() -> None:
    """This process ends when its command does (the command line, not a test or `watch`)."""
    _ending[:] = [True]


def placed(now: bool) -> None:
    """The build's outputs are in place (`now`), or are not after all. Once they are, the
    build has done what it was asked: a signal then is let go, and the command ends as a
    finished build, not as an interrupted one. In a process that ends with its command the
    signals are ignored from then on, through the interpreter's exit too (which gives
    them back their default action: ending the process as interrupted)."""
    _placed[:] = [True] if now else []
    if _ending and threading.current_thread() is threading.main_thread():
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN if now else _on_signal)


def stop_point() -> None:
    if _received:
        raise Interrupted(_received[0])


@contextlib.contextmanager
def interrupts():
    """SIGINT and SIGTERM stop the build run in this block. A signal that lands in a
    finalizer or a weak reference's callback is one Python cannot raise: it is not reported
    either, for the same reason as the engine's."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _on_signal) for s in SIGNALS}
    outermost = previous[signal.SIGINT] is not _on_signal
    _received.clear()
    if outermost:
        _placed.clear()
    unraisable = sys.unraisablehook

    def hook(report) -> None:
        if not isinstance(report.exc_value, Interrupted):
            unraisable(report)

    sys.unraisablehook = hook
    try:
        with _signals_wake() if outermost else contextlib.nullcontext():
            yield
    finally:
        if outermost:  # what it received was its build's to stop: none is left for later
            _received.clear()
        sys.unraisablehook = unraisable
        if not (_placed and _ending):  # else they stay ignored until the process ends
            for signum, handler in previous.items():
                signal.signal(signum, handler)


@contextlib.contextmanager
def held_back():
    """A signal received in this block (a process is being started and is not yet one the
    build would stop) stops the build at the end of it instead."""
    _holding.append(True)
    try:
        yield
    finally:
        _holding.pop()
    stop_point()


def _new_wakeup() -> int:
    """A pipe signals write a byte to; its write end (its read end is in `_wakeup`)."""
    read, write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    _wakeup[:] = [read]
    return write


@contextlib.contextmanager
def _signals_wake():
    write = _new_wakeup()
    previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        os.close(_wakeup.pop())
        os.close(write)


def ready(reads: dict[int, object]) -> list:
    """Wait until some of the file descriptors that `reads` maps can be read: what they map
    to. A signal ends the wait, and its handler then stops the build."""
    with selectors.DefaultSelector() as waiting_for:
        for read, data in reads.items():
            waiting_for.register(read, selectors.EVENT_READ, data)
        if _wakeup:
            waiting_for.register(_wakeup[0], selectors.EVENT_READ, _wakeup)
        found = [key.data for key, _ in waiting_for.select()]
    if _wakeup in found:
        with contextlib.suppress(OSError):
            os.read(_wakeup[0], 1 << 10)
        found.remove(_wakeup)
        stop_point()  # the handler has run by now, and raised unless it could not (finalizer)
    return found


def after_fork() -> None:
    """In a process just forked from a build: a wake-up pipe of its own, so that it never
    reads a byte meant to wake the build."""
    _holding.clear()  # the build held signals back while it forked this process
    if _wakeup:
        os.close(_wakeup[0])
        write = _new_wakeup()
        try:
            signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        except ValueError:  # forked from another thread than the main one: no wait to end
            _wakeup.clear()
