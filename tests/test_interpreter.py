"""How the interpreter runs a command (interpreter.py): calls that go back and forth across
the end of a chunk of the frame stack no longer map and unmap it each time, and the
collector looks at new objects less often."""

from __future__ import annotations

import gc
import subprocess
import sys

from transfo_print import cli, interpreter

# Calls 300 deep, 20,000 times over: without room, CPython 3.11-3.13 map and unmap a chunk
# (four pages) on each way down and up, some 100,000 page faults; within room, a few.
PROBE = """
import resource, sys
from transfo_print import interpreter

def down(depth):
    return down(depth - 1) if depth else 0

def calls():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20_000):
        down(300)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

print(interpreter.run(calls) if sys.argv[1] == "room" else calls())
"""


def _page_faults(how: str) -> int:
    run = subprocess.run([sys.executable, "-c", PROBE, how], capture_output=True, text=True,
                         check=True)
    return int(run.stdout)


def test_calls_within_room_do_not_map_the_frame_stack_again():
    within = _page_faults("room")
    assert within < 1_000, within
    without = _page_faults("none")
    # what the room is for, on the interpreters this project supports
    if sys.version_info < (3, 14):
        assert without > 20 * max(within, 100), (without, within)


def test_the_command_line_runs_as_the_interpreter_module_says(monkeypatch):
    """`transfo-print` runs its command inside the frame that reserves the room, with the
    collector's thresholds set."""
    seen = []

    def main():
        frame = sys._getframe()
        while frame is not None and frame.f_code is not interpreter._reserving.__code__:
            frame = frame.f_back
        seen.append((frame is not None, gc.get_threshold()[0]))
        return 0

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(cli, "ends_with_command", lambda: None)
    thresholds = gc.get_threshold()
    try:
        assert cli.entry() == 0
    finally:
        gc.set_threshold(*thresholds)
    assert seen == [(True, interpreter.YOUNG_COLLECTION_EVERY)]
