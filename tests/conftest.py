"""Shared fixtures: the real publication and a small English one, each built once."""

from __future__ import annotations

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


def _build(source: Path, out: Path) -> Built:
    book = load(source)
    # strict: any warning of the layout engine (bad CSS, missing file) fails the build
    build(book, out, html_dir=out / "html", strict=True)
    return Built(
        book=book,
        out=out,
        booklet=out / f"{book.publication.output}.pdf",
        sheets=[out / "sheets" / f"{s.slug}.pdf" for s in book.sheets],
        html=out / "html",
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    return _build(SHEETS, tmp_path_factory.mktemp("la-transfo"))


@pytest.fixture(scope="session")
def mini(tmp_path_factory) -> Built:
    return _build(MINI, tmp_path_factory.mktemp("mini"))


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden images of the visual regression tests")
