"""Content problems, reported as `path:line:column: error: message` (the format editors read)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"


def counted(count: int, noun: str) -> str:
    """`1 PDF`, `2 PDFs`: a count in a message."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


class ContentError(Exception):
    """Raised with every problem found, once all inputs have been read."""

    def __init__(self, problems: list[Problem]):
        # The same fault met by several sheets (a template the layout lacks) is said once.
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """The command cannot start as given (a SOURCE that is no publication folder, an output
    path taken by a folder, an --out that is a file): one line, exit status 2, before any
    work is done."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: the build stopped and left the previous outputs as they were."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM
