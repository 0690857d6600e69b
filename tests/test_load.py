"""Loading and validating sheet data: good sources load, each mistake is reported where it is."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import MINI, SHEETS, edit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transfo_print.diagnostics import ContentError
from transfo_print.load import MAX_FILE_BYTES, load

SHEET = "01-start-the-engine.yaml"


@pytest.fixture
def source(tmp_path) -> Path:
    folder = tmp_path / "src"
    shutil.copytree(MINI, folder)
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load(folder)
    return [str(p) for p in caught.value.problems]


def test_the_real_publication_loads():
    book = load(SHEETS)
    assert book.count == 7
    assert [s.sheet.number for s in book.sheets] == list(range(1, 8))
    assert book.sheets[0].sheet.sections.hypothesis.lead == "Tenir la route."
    assert book.publication.publisher == "La 27e Région"


def test_the_small_publication_loads(source):
    book = load(source)
    assert book.count == 3
    assert book.publication.language == "en"


def test_loading_never_modifies_the_inputs(source):
    before = {p: p.read_bytes() for p in source.rglob("*") if p.is_file()}
    load(source)
    assert {p: p.read_bytes() for p in source.rglob("*") if p.is_file()} == before


# Each case: (file, text replaced, replacement, expected message, expected line)
CASES = [
    (SHEET, "title: Start the engine", "title: 42",
     "title: expected text, found a number", 2),
    (SHEET, "title: Start the engine", "title: ''", "title: text is empty", 2),
    (SHEET, "title: Start the engine", "titel: Start the engine",
     "titel: unknown key `titel` (did you mean `title`?)", 2),
    (SHEET, "  - code: k1\n    label: Key part 1\n", "  - code: k1\n    lable: Key part 1\n",
     "legend[0].lable: unknown key `lable` (did you mean `label`?)", 8),
    (SHEET, "    lead: Turn the key.\n", "", "sections.hypothesis: missing required field `lead`",
     12),
    (SHEET, "      - text: Lesson paragraph of sheet 1.",
     "      - text: [a, list]", "sections.lessons.blocks[0].text: expected text, found a list",
     27),
    (SHEET, "      - heading: What we saw on sheet 1", "      - heading: 7",
     "sections.observations.blocks[0].heading: expected text, found a number", 18),
    (SHEET, "number: 1", "number: one", "number: expected a whole number, found text", 1),
    (SHEET, "number: 1", "number: 2",
     "number: sheet number is 2 but the file is number 1 in publication.yaml", 1),
    (SHEET, "  - code: w\n", "  - code: k1\n",
     "legend[1].code: reference code `k1` already used by legend[0]", 9),
    (SHEET, "      - text: Lesson paragraph of sheet 1.", "      - text: *Lesson* paragraph",
     "YAML syntax: expected alphabetic or numeric character, but found '*' (a value starting "
     "with `*` is read as a YAML alias: put the whole value in quotes", 27),
    (SHEET, "      - text: Lesson paragraph of sheet 1.", "      - text: *Lesson paragraph",
     "found undefined alias 'Lesson' (a value starting with `*`", 27),
    (SHEET, "title: Start the engine", "title: Start the engine\ntitle: Again",
     "title: duplicate key (first given on line 2)", 3),
    (SHEET, "      - text: Lesson paragraph of sheet 1.",
     "      - text: Lesson\n        heading: Both",
     "sections.lessons.blocks[0]: a block holds exactly one of heading, text, caption or list "
     "(found heading, text)", 27),
    (SHEET, "title: Start the engine", "title: Start the engine\n\tbad: tab",
     "YAML syntax", 3),
    (SHEET, "title: Start the engine", 'title: "Start the engine', "YAML syntax", None),
    ("publication.yaml", "language: en", "language: English",
     "language: `English` does not have the expected form", 5),
    ("publication.yaml", "publisher: Example Works Ltd\n", "", "missing required field "
     "`publisher`", 1),
]


@pytest.mark.parametrize(("name", "old", "new", "message", "line"), CASES,
                         ids=[c[3][:40] for c in CASES])
def test_each_mistake_names_file_line_and_field(source, name, old, new, message, line):
    edit(source, name, old, new)
    found = problems(source)
    matching = [p for p in found if message in p]
    assert matching, found
    path = str(source / name)
    assert matching[0].startswith(path + ":"), matching[0]
    if line is not None:
        assert matching[0].startswith(f"{path}:{line}:"), matching[0]


def test_all_problems_of_all_files_are_reported_together(source):
    edit(source, SHEET, "title: Start the engine", "title: 42")
    edit(source, "02-check-the-mirrors.yaml", "title: Check the mirrors", "titel: x")
    found = problems(source)
    assert any("01-start-the-engine.yaml:2:" in p for p in found)
    assert any("02-check-the-mirrors.yaml:2:" in p for p in found)


def test_a_sheet_listed_but_missing_and_a_file_not_listed(source):
    (source / SHEET).rename(source / "09-extra.yaml")
    found = problems(source)
    assert any("publication.yaml" in p and "no file `01-start-the-engine.yaml`" in p
               for p in found)
    assert any("09-extra.yaml:1:1: error: sheet file is not listed" in p for p in found)


def test_empty_file(source):
    (source / SHEET).write_text("", encoding="utf-8")
    assert problems(source) == [f"{source / SHEET}:1:1: error: file is empty"]


def test_byte_order_mark_and_crlf_are_accepted(source):
    path = source / SHEET
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert load(source).sheets[0].sheet.title == "Start the engine"


def test_bytes_that_are_not_utf8_are_located(source):
    path = source / SHEET
    data = path.read_bytes().replace(b"Start", b"St\xe9rt", 1)
    path.write_bytes(data)
    (problem,) = problems(source)
    offset = data.index(b"\xe9")
    assert problem.startswith(f"{path}:2:10: error: byte 0xe9 at offset {offset} is not UTF-8")


def test_billion_laughs_is_refused_quickly(source):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    (source / SHEET).write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    found = problems(source)
    assert time.monotonic() - started < 2
    assert any("aliases (*name) are not allowed" in p for p in found)


def test_deep_nesting_and_huge_files_are_refused(source):
    (source / SHEET).write_text("x: " + "[" * 50 + "]" * 50 + "\n", encoding="utf-8")
    assert any("nested deeper than" in p for p in problems(source))
    (source / SHEET).write_text("x: " + "a" * 1_100_000 + "\n", encoding="utf-8")
    assert any("over the 1000000 bytes" in p for p in problems(source))


def test_the_published_schema_matches_the_model(tmp_path):
    from transfo_print.model import write_schemas

    for path in write_schemas(tmp_path):
        assert path.read_text("utf-8") == (SHEETS / path.name).read_text("utf-8"), (
            f"{path.name} is out of date: run `make schema`"
        )


def test_every_sheet_file_points_editors_at_the_schema():
    for path in SHEETS.glob("0*.yaml"):
        assert path.read_text("utf-8").startswith("# yaml-language-server: $schema="), path
    assert yaml.safe_load((SHEETS / "publication.yaml").read_text("utf-8"))


def test_a_date_that_is_not_a_date(source):
    edit(source, "publication.yaml", "date: 2023-11-09", "date: 9 Nov 2023")
    assert problems(source) == [f"{source / 'publication.yaml'}:4:1: error: date: expected a "
                                "date as YYYY-MM-DD, found `9 Nov 2023`"]


def test_a_sheet_listed_twice_is_one_error(source):
    edit(source, "publication.yaml", "03-park-safely]", "03-park-safely, 03-park-safely]")
    (problem,) = problems(source)
    assert "sheets[3]: sheet `03-park-safely` is listed twice" in problem


FIGURES = """figures:
  - label: Fig.k1
    drawing: figures/part.svg
    callouts:
      - {code: k1, at: [10, 10], text_at: [50, 50]}
      - {code: w, at: [10, 50], text_at: [50, 10]}
      - {code: zz, at: [5, 5], text_at: [1, 1]}
  - label: Fig.v
    drawing: figures/missing.svg
"""


def test_figures_callouts_and_legend_agree(source):
    (source / "figures").mkdir()
    (source / "figures" / "part.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    edit(source, SHEET, "figures:\n  - label: Fig.k1\n  - label: Fig.v\n", FIGURES)
    found = problems(source)
    path = source / SHEET
    assert f"{path}:8:9: error: figures[0].callouts[1]: lead line of `w` crosses the lead line " \
        "of `k1`" in found
    assert f"{path}:9:10: error: figures[0].callouts[2].code: callout `zz` has no entry in the " \
        "legend" in found
    assert any("figures[1].drawing: no file `figures/missing.svg`" in p for p in found)


def test_a_legend_code_without_callout(source):
    (source / "figures").mkdir()
    (source / "figures" / "part.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    edit(source, SHEET, "  - label: Fig.k1\n", "  - label: Fig.k1\n    drawing: figures/part.svg\n"
         "    callouts: [{code: k1, at: [1, 1], text_at: [9, 9]}]\n")
    found = problems(source)
    assert any("legend[1].code: legend code `w` has no callout on any figure" in p
               for p in found), found


@pytest.mark.parametrize("drawing", ["../outside.svg", "/etc/passwd", "http://x/y.svg",
                                     "figures/../../x.svg", "figures/x.png"])
def test_a_drawing_path_cannot_leave_the_figures_folder(source, drawing):
    edit(source, SHEET, "  - label: Fig.k1\n", f"  - label: Fig.k1\n    drawing: '{drawing}'\n")
    assert any("figures[0].drawing: " in p and "does not have the expected form" in p
               for p in problems(source))


def test_text_too_long_for_its_place_is_a_warning(source):
    edit(source, SHEET, "title: Start the engine", "title: " + "Very long title " * 7)
    book = load(source)
    (warning,) = book.warnings
    assert str(warning).startswith(f"{source / SHEET}:2:1: warning: title: title of 111 characters")


@pytest.mark.parametrize(("text", "message"), [
    ("number: !custom 1\n", "number: YAML tag `!custom` is not allowed in sheets"),
    ("number: !!python/object:os.system x\n", "is not allowed in sheets"),
    ("number: 2020-13-45\n", "number: month must be in 1..12"),
])
def test_yaml_tags_and_impossible_values(source, text, message):
    (source / SHEET).write_text(text, encoding="utf-8")
    (problem,) = problems(source)
    assert message in problem and problem.startswith(f"{source / SHEET}:1:9:")


def test_a_photo_under_150_dpi_is_a_warning_and_a_missing_one_an_error(source):
    from PIL import Image

    Image.new("RGB", (200, 100)).save(source / "images" / "workshop.jpg")
    book = load(source)
    (warning,) = book.warnings
    assert "02-check-the-mirrors.yaml:" in str(warning)
    assert "sections.observations.blocks[3].image: `images/workshop.jpg` is 200 pixels wide: " \
        "73 dpi" in str(warning)
    (source / "images" / "workshop.jpg").unlink()
    assert any("blocks[3].image: no file `images/workshop.jpg`" in p for p in problems(source))


def test_an_image_goes_with_a_caption(source):
    edit(source, SHEET, "      - text: Lesson paragraph of sheet 1.",
         "      - text: Lesson paragraph of sheet 1.\n        image: images/workshop.jpg")
    assert any("`image` goes with a `caption`" in p for p in problems(source))


# --- labels: shipped per language, overridden key by key -----------------------------------


def test_labels_come_from_the_language_and_each_may_be_overridden(source):
    assert load(source).publication.labels.contents == "Contents"
    path = source / "publication.yaml"
    path.write_text(path.read_text("utf-8") + "labels:\n  contents: Index\n"
                    "  title_block:\n    owner: Proprietor\n", "utf-8")
    labels = load(source).publication.labels
    assert (labels.contents, labels.lessons) == ("Index", "Lessons")
    assert (labels.title_block.owner, labels.title_block.page) == ("Proprietor", "Page")
    edit(source, "publication.yaml", "language: en", "language: fr")
    labels = load(source).publication.labels
    assert (labels.contents, labels.lessons, labels.months[7]) == ("Index", "Enseignements", "août")


def test_shipped_labels_are_complete_for_each_language():
    from transfo_print.model import LABELS, Labels, default_labels

    languages = sorted(p.stem for p in LABELS.iterdir() if p.name.endswith(".yaml"))
    assert languages == ["en", "fr"]
    for language in languages:
        Labels.model_validate(default_labels(language))  # every label, nothing unknown


def test_a_language_without_shipped_labels_needs_them_all(source):
    edit(source, "publication.yaml", "language: en", "language: de")
    assert problems(source) == [
        f"{source / 'publication.yaml'}:1:1: error: missing required field `labels`: labels are "
        "shipped for fr and en only, so another `language` gives them all (`transfo-print "
        "schema` lists them)"]


@pytest.mark.parametrize(("text", "message"), [
    ("labels:\n  contnets: Index\n",
     "labels.contnets: unknown key `contnets` (did you mean `contents`?)"),
    ("labels:\n  sheet: Sheet {n}\n",
     "labels.sheet: only {number} and {count} may stand in braces (double a brace to print it)"),
    ("labels:\n  months: [Jan]\n", "labels.months: needs at least 12 item(s), found 1"),
])
def test_a_wrong_label_is_located(source, text, message):
    path = source / "publication.yaml"
    line = path.read_text("utf-8").count("\n") + 2
    path.write_text(path.read_text("utf-8") + text, "utf-8")
    assert problems(source) == [f"{path}:{line}:3: error: {message}"]


def test_a_callout_outside_the_drawing_is_an_error(source):
    (source / "figures").mkdir()
    (source / "figures" / "part.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 -10 120 80'><path d='M0 0h9'/></svg>")
    edit(source, SHEET, "  - label: Fig.k1\n", "  - label: Fig.k1\n    drawing: figures/part.svg\n"
         "    callouts:\n      - {code: k1, at: [10, 60], text_at: [0, -10]}\n"
         "      - {code: w, at: [60, 71], text_at: [121, 5]}\n")
    path = source / SHEET
    where = "in its own units, x from 0 to 120 and y from -10 to 70 (the viewBox of part.svg)"
    assert problems(source) == [
        f"{path}:8:19: error: figures[0].callouts[1].at: [60, 71] lies outside the drawing: "
        f"callouts are {where}",
        f"{path}:8:33: error: figures[0].callouts[1].text_at: [121, 5] lies outside the "
        f"drawing: callouts are {where}",
    ]


def test_a_code_naming_another_part_on_another_sheet_is_a_warning(source):
    assert load(source).warnings == ()  # `w`, the whole vehicle, is on every sheet
    edit(source, "03-park-safely.yaml", "    label: Whole vehicle", "    label: Wheel")
    (warning,) = (str(w) for w in load(source).warnings)
    first = f"{source / SHEET}:9:5"
    assert warning.startswith(f"{source / '03-park-safely.yaml'}:")
    assert warning.endswith(f": warning: legend[1].code: reference code `w` names `Wheel` here "
                            f"and `Whole vehicle` at {first}: give one of them another code")


# --- any input ends in a model or a located error ------------------------------------------


def loads_or_locates(folder: Path) -> None:
    try:
        load(folder)
    except ContentError as error:
        for problem in error.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.path.is_file()


NESTINGS = {
    "flow lists": ("title: ", "[", "]"),
    "flow mappings": ("title: ", "{a: ", "}"),
    "block lists": ("title:\n", "- ", ""),
    "mixed": ("title: ", "[{a: ", "}]"),
}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(NESTINGS)),
       depth=st.one_of(st.integers(0, 40), st.integers(40, 30_000)))
def test_any_nesting_depth_ends_in_a_model_or_a_located_error(tmp_path_factory, kind, depth):
    folder = tmp_path_factory.mktemp("deep")
    shutil.copytree(MINI, folder, dirs_exist_ok=True)
    head, opening, closing = NESTINGS[kind]
    (folder / SHEET).write_text(head + opening * depth + "x" + closing * depth + "\n", "utf-8")
    loads_or_locates(folder)


# Parsing a megabyte of YAML values takes seconds: few examples, the extremes among them.
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.one_of(st.sampled_from([0, 1, MAX_FILE_BYTES - 100, MAX_FILE_BYTES + 1]),
                      st.integers(0, 200_000), st.integers(MAX_FILE_BYTES, 3 * MAX_FILE_BYTES)),
       shape=st.sampled_from(["one line", "many lines", "many keys", "many values"]))
def test_any_size_ends_in_a_model_or_a_located_error(tmp_path_factory, size, shape):
    folder = tmp_path_factory.mktemp("large")
    shutil.copytree(MINI, folder, dirs_exist_ok=True)
    text = {"one line": lambda n: "title: " + "a" * n,
            "many lines": lambda n: "title: >-\n" + "  word\n" * (n // 7),
            "many keys": lambda n: "".join(f"k{i:08d}: v\n" for i in range(n // 13)),
            "many values": lambda n: "title: [" + ("a" * 18 + ",\n") * (n // 20) + "]"}[shape]
    (folder / SHEET).write_text(text(size) + "\n", "utf-8")
    loads_or_locates(folder)


def test_a_sheet_is_read_again_when_it_or_a_photo_changes(source):
    """Loading again (as `watch` does at each save) reuses the sheets left as they were,
    and sees every change to a sheet file or to what its checks read."""
    first = load(source)
    assert load(source).sheets[1].sheet is first.sheets[1].sheet  # unchanged: not read again
    edit(source, "02-check-the-mirrors.yaml", "number: 2", "number: 2  # edited")
    assert load(source).sheets[1].sheet is not first.sheets[1].sheet
    (source / "images" / "workshop.jpg").unlink()
    assert problems(source) == [
        f"{source / '02-check-the-mirrors.yaml'}:25:9: error: sections.observations.blocks[3]."
        f"image: no file `images/workshop.jpg` in {source / 'images'}"]
