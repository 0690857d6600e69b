"""Shared fixtures: the real publication and a small English one, each built once per run
(once for all the test processes under pytest-xdist, not once per process)."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from transfo_print.build import build
from transfo_print.load import load

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ROOT / "sheets"
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"


@dataclass
class Built:
    book: object
    out: Path
    booklet: Path
    sheets: list[Path]
    html: Path


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the first `old`, which must be there, by `new` in `folder / name`."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build(source: Path, out: Path) -> Built:
    book = load(source)
    # strict: any warning of the layout engine (bad CSS, missing file) fails the build.
    # Every core: the other test processes may be waiting for this very build.
    build(book, out, html_dir=out / "html", strict=True, processes=os.cpu_count() or 1)
    return _built(book, out)


def _build_once(name: str, source, tmp_path_factory, worker_id: str) -> Built:
    """Build `source()` into a folder that every test process of this run shares: the first
    to ask builds it under a lock, the others wait for it and read it. Tests only read it."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # the run's own folder
    out = shared / f"shared-{name}"
    with open(shared / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = out / ".built"
        if done.exists():
            built = _built(load(Path(done.read_text("utf-8"))), out)
        else:
            folder = source(shared / f"shared-{name}-source")
            built = _build(folder, out)
            done.write_text(str(folder), "utf-8")
    return built


def _built(book, out: Path) -> Built:
    return Built(book=book, out=out, booklet=out / f"{book.publication.output}.pdf",
                 sheets=[out / "sheets" / f"{s.slug}.pdf" for s in book.sheets],
                 html=out / "html")


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id) -> Built:
    return _build_once("la-transfo", lambda _: SHEETS, tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def mini(tmp_path_factory, worker_id) -> Built:
    return _build_once("mini", lambda _: MINI, tmp_path_factory, worker_id)


LONG_TITLES = [  # 55 to 69 characters: longer than any shipped title
    "Choose the right transmission system for a long and winding road trip",
    "Keep the engine cool while the whole crew is pushing up the hill",
    "Read the map together before the junction and not after it",
]


def generated_publication(folder: Path) -> Path:
    """The seven shipped sheets and three more with long titles, as ten sheets of a
    publication in English (its labels the English defaults)."""
    shutil.copytree(SHEETS, folder)
    publication = (folder / "publication.yaml").read_text("utf-8")
    names = re.findall(r"^  - (\S+)$", publication, flags=re.MULTILINE)
    for extra, title in enumerate(LONG_TITLES, start=8):
        source = (folder / f"{names[extra - 8]}.yaml").read_text("utf-8")
        source = re.sub(r"^number: \d+", f"number: {extra}", source, flags=re.MULTILINE)
        source = re.sub(r"^title: .*", f"title: {title}", source, flags=re.MULTILINE)
        source = re.sub(r"^ticker: .*\n", "", source, flags=re.MULTILINE)
        # legend codes are the publication's: give the copies their own
        source = re.sub(r"\bcode: (\w+)", lambda m, n=extra: f"code: {m[1][:4]}{n}", source)
        name = f"{extra:02d}-long-title"
        (folder / f"{name}.yaml").write_text(source, "utf-8")
        names.append(name)
    publication = re.sub(r"^language: fr", "language: en", publication, flags=re.MULTILINE)
    publication = re.sub(r"^sheets:\n(  - .*\n)+", "sheets:\n" + "".join(
        f"  - {n}\n" for n in names), publication, flags=re.MULTILINE)
    (folder / "publication.yaml").write_text(publication, "utf-8")
    return folder


@pytest.fixture(scope="session")
def generated(tmp_path_factory, worker_id):
    return _build_once("generated", generated_publication, tmp_path_factory, worker_id)


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden images of the visual regression tests")
