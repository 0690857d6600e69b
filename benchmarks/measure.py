"""Measure a command as a whole, whatever processes it starts.

- CPU time: user + system of the process and of every process it waited for (wait4's
  resource usage), so worker processes count, start-up included. The bench is made the
  subreaper of what it starts (`adopt_orphans`): a process a command leaves behind (a fork
  server, a daemon) is re-parented to the bench, which samples it and collects its time.
- Memory: the process tree (found through /proc: parent ids) is sampled every SAMPLE
  seconds and the proportional set size (PSS, /proc/PID/smaps_rollup) summed over it; the
  largest sum is the peak. PSS shares pages between the processes that map them, so a
  forked worker's copy-on-write pages are not counted twice. Reading PSS makes the kernel
  walk every page of a process (about 12 ms of CPU for 400 MB here), so the sampler waits
  longer between samples when they cost more, to keep its own share under SAMPLER_SHARE of
  a core: it must not slow down what it measures.
- The names of every process seen in the tree, to tell whether a compiler or a linker
  search ran. A process shorter than SAMPLE may be missed: `run.py` also asks Python's
  audit hooks (see spawn_probe.py).
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE = 0.05  # seconds between samples of the process tree, at least
SAMPLER_SHARE = 0.05  # of one core, at most, for the sampler
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# What cffi's and ctypes' library search runs: the compiler driver and its parts, the
# linker, the loader cache.
COMPILER_OR_LINKER = frozenset({"gcc", "cc", "cc1", "collect2", "ld", "ld.bfd", "ld.gold",
                                "ldconfig", "ldconfig.real", "objdump"})


PR_SET_CHILD_SUBREAPER = 36  # prctl option, linux/prctl.h
LEFTOVER_TIMEOUT = 60  # seconds a command's leftover processes get to end


def adopt_orphans() -> None:
    """Become the subreaper of every process started from here on (see above)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_leftovers() -> float:
    """Wait for the children left to this process (adopted orphans) and give their CPU
    seconds; any still running after LEFTOVER_TIMEOUT is killed, by its id."""
    cpu, deadline = 0.0, time.monotonic() + LEFTOVER_TIMEOUT
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:  # none left
            return cpu
        if pid:
            cpu += usage.ru_utime + usage.ru_stime
        elif time.monotonic() > deadline:
            for left in process_tree(os.getpid())[1:]:
                os.kill(left, 9)
        else:
            time.sleep(0.05)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone
        return None
    # The name is in parentheses and may hold spaces: the fields start after the last ')'.
    return text[text.rindex(")") + 2:].split()


def _parents() -> dict[int, int]:
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                parents[int(entry.name)] = int(fields[1])
    return parents


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def process_name(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def tree_cpu_seconds(root: int) -> float:
    """CPU time so far of a running tree: each live process's own time and that of the
    children it has waited for (a reaped child's time moves into its parent's)."""
    ticks = 0
    for pid in process_tree(root):
        fields = _stat_fields(pid)
        if fields:
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / CLOCK_TICKS


@dataclass
class TreeSampler:
    """Samples a process tree in a thread until stopped: peak summed PSS, names seen.
    With this process as the root, its descendants alone (itself left out)."""

    root: int
    peak_kib: int = 0
    names: set[str] = field(default_factory=set)
    samples: int = 0
    sampled_for: float = 0.0  # seconds from the first sample to the last

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        self.peak_kib, self.names, self.samples, self.sampled_for = 0, set(), 0, 0.0

    @property
    def interval(self) -> float:
        """Mean seconds between samples: the resolution of the peak."""
        return self.sampled_for / (self.samples - 1) if self.samples > 1 else 0.0

    def _sample(self) -> None:
        first = None
        while not self._stop.is_set():
            cost = time.thread_time()
            pids = [p for p in process_tree(self.root) if p != os.getpid()]
            self.peak_kib = max(self.peak_kib, sum(pss_kib(pid) for pid in pids))
            self.names.update(n for n in map(process_name, pids) if n)
            cost = time.thread_time() - cost
            now = time.monotonic()
            first = now if first is None or self.samples == 0 else first
            self.samples += 1
            self.sampled_for = now - first
            self._stop.wait(max(SAMPLE, cost / SAMPLER_SHARE))


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system, of the process and every process it waited for
    peak_mib: float  # largest sum of PSS over the process tree
    processes: list[str]  # names of the processes seen in the tree
    sample_interval: float  # mean seconds between memory samples
    stdout: str
    stderr: str

    @property
    def compiler_or_linker(self) -> list[str]:
        return sorted(set(self.processes) & COMPILER_OR_LINKER)


def run(command: list, cwd: Path, env: dict | None = None) -> Run:
    """Run `command` (its parts turned into strings) to its end, measured; exit with its
    output if it fails."""
    command = [str(part) for part in command]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        # All this process's descendants: the command's tree and anything it left behind
        # (run() measures one command at a time).
        sampler = TreeSampler(os.getpid()).start()
        # wait4 rather than Popen.wait: it gives the resource usage of this child alone
        # (with its waited-for descendants), whatever else the bench has run before.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        cpu = usage.ru_utime + usage.ru_stime + reap_leftovers()
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(wall, cpu, sampler.peak_kib / 1024,
                     sorted(sampler.names), sampler.interval, out.read(), err.read())
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n"
                         f"{result.stderr[-3000:]}")
    return result
