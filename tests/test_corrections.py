"""The proof-reading corrections: each made in its sheet, each a correction of the source."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import DATA, SHEETS

from transfo_print.load import load

CORRECTIONS = SHEETS / "proofreading" / "corrections.yaml"
KEYS = {"sheet", "field", "was", "now", "why"}


def corrections() -> list[dict]:
    return yaml.safe_load(CORRECTIONS.read_text("utf-8"))


def corrected(text: str) -> str:
    """The original text with each correction made once, in order: what should be printed."""
    for correction in corrections():
        text = text.replace(correction["was"], correction["now"], 1)
    return text


def field(value, path: str):
    """`sections.lessons.blocks[6].list[1].body` in a sheet's data."""
    for part in re.findall(r"\[\d+\]|[^.\[\]]+", path):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


@pytest.fixture(scope="module")
def sheets() -> dict[int, dict]:
    return {entry.sheet.number: entry.sheet.model_dump(exclude_none=True)
            for entry in load(SHEETS).sheets}


def test_every_correction_is_made_in_its_field(sheets):
    entries = corrections()
    assert entries, "no corrections listed"
    for entry in entries:
        assert set(entry) == KEYS, entry
        where = f"sheet {entry['sheet']:02d} {entry['field']}"
        text = field(sheets[entry["sheet"]], entry["field"])
        assert entry["now"] in text, f"{where}: {entry['now']!r} not found"
        # `was` may be part of `now` ("ouvert" -> "ouverts"): only that use of it may remain
        corrected = [(m.start(), m.end()) for m in re.finditer(re.escape(entry["now"]), text)]
        for m in re.finditer(re.escape(entry["was"]), text):
            assert any(start <= m.start() and m.end() <= end for start, end in corrected), (
                f"{where}: {entry['was']!r} is still there")


def test_every_correction_corrects_the_source():
    source = (DATA / "source.txt").read_text("utf-8")
    for entry in corrections():
        assert entry["was"] != entry["now"], entry
        assert entry["was"] in source, f"{entry['was']!r} is not in the source"
        assert entry["why"].strip(), entry
