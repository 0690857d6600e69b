"""Room on the frame stack (framestack.py): calls that go back and forth across the end of a
chunk of the interpreter's frame stack no longer map and unmap it each time."""

from __future__ import annotations

import subprocess
import sys

from transfo_print import cli, framestack

# Calls 300 deep, 20,000 times over: without room, CPython 3.11-3.13 map and unmap a chunk
# (four pages) on each way down and up, some 100,000 page faults; within room, a few.
PROBE = """
import resource, sys
from transfo_print import framestack

def down(depth):
    return down(depth - 1) if depth else 0

def calls():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20_000):
        down(300)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

print(framestack.with_room(calls) if sys.argv[1] == "room" else calls())
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


def test_the_command_line_runs_within_room(monkeypatch):
    """`transfo-print` runs its command inside the frame that reserves the room."""
    seen = []

    def main():
        frame = sys._getframe()
        while frame is not None and frame.f_code is not framestack._reserving.__code__:
            frame = frame.f_back
        seen.append(frame is not None)
        return 0

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(cli, "ends_with_command", lambda: None)
    assert cli.entry() == 0
    assert seen == [True]
