"""Skip a build whose inputs and outputs have not changed since the last one.

The manifest records a hash of everything that decides the outputs (the source folder,
the layout, the fonts, the options, this tool's version and its code: an edited module or
an upgrade rebuilds) and a hash of every output.
Checking it needs neither the model nor the layout engine, so an up-to-date build costs
little more than reading the files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import __version__
from .paths import PACKAGE


def _name(variant: str) -> str:
    """One manifest per kind of output, so that building one does not stale another."""
    return f".transfo-print-manifest{variant}.json"


def _files(folder: Path, skip: Path | None = None) -> list[Path]:
    """The files of `folder`, but hidden ones, compiled code, those under `skip` and links
    leading out of the folder (the build refuses to read those)."""
    root = folder.resolve()
    skip = skip.resolve() if skip else None
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                   for part in p.relative_to(folder).parts)
        and p.resolve().is_relative_to(root)
        and not (skip and p.resolve().is_relative_to(skip)))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_key(folders: list[Path], options: dict, out: Path | None = None) -> str:
    """One hash of every input file (by path and content), the code, the options and the
    version. `out`, where the outputs go, may be inside a source folder: it is left out."""
    hasher = hashlib.sha256(json.dumps([__version__, options], sort_keys=True).encode())
    for folder in [*folders, PACKAGE]:
        for path in _files(folder, out):
            hasher.update(str(path.relative_to(folder)).encode() + b"\0")
            try:
                hasher.update(path.read_bytes())
            except OSError:  # unreadable: the build then says so, at the file
                hasher.update(b"\0unreadable")
    return hasher.hexdigest()


def is_up_to_date(out: Path, key: str, variant: str = "") -> bool:
    try:
        recorded = json.loads((out / _name(variant)).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if recorded.get("inputs") != key:
        return False
    outputs = recorded.get("outputs", {})
    try:
        return bool(outputs) and all(_digest(out / name) == digest
                                     for name, digest in outputs.items())
    except OSError:
        return False


def record(out: Path, key: str, outputs: list[Path], variant: str = "") -> None:
    from .booklet import write_atomic

    manifest = {
        "inputs": key,
        "outputs": {str(p.relative_to(out)): _digest(p) for p in outputs},
    }
    write_atomic(out / _name(variant), json.dumps(manifest, indent=1).encode())
