"""The one rule for every file a build reads: resolved (symlinks and `..` included), inside
its folder, a regular file, within a size limit, readable. Anything else is an InputRefused
with a sentence an author can act on."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class InputRefused(ValueError):
    pass


def confined(path: Path, folder: Path) -> Path:
    """`path` resolved; refused unless it lies inside `folder` (itself resolved)."""
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(Path(folder).resolve()):
        raise InputRefused(f"{Path(path).name} leads outside {folder} (a link to {resolved}); "
                           "only files inside the folder may be used")
    return resolved


def read_input(path: Path, folder: Path, max_bytes: int) -> bytes:
    """The bytes of `path`, a regular file inside `folder` of at most `max_bytes`."""
    resolved = confined(path, folder)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputRefused(f"no file {Path(path).name} in {folder}") from None
    except OSError as error:
        raise InputRefused(f"cannot read {Path(path).name}: {error.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # a folder, a FIFO, a device
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InputRefused(f"{Path(path).name} is {kind}")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            raise InputRefused(f"{Path(path).name} is {info.st_size} bytes, over the "
                               f"{max_bytes} bytes allowed")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise InputRefused(f"cannot read {Path(path).name}: {error.strerror}") from None
    if len(data) > max_bytes:  # grew while being read
        raise InputRefused(f"{Path(path).name} is over the {max_bytes} bytes allowed")
    return data


def check_folder(folder: Path) -> None:
    """Every file under `folder` (a layout, the fonts) resolves inside it and is regular."""
    root = Path(folder).resolve()
    for path in sorted(Path(folder).rglob("*")):
        resolved = confined(path, root)
        if not (resolved.is_file() or resolved.is_dir()):
            raise InputRefused(f"{path} is not a regular file")
