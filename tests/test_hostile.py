"""Hostile and odd input: every input ends in a model, a `file:line` error or a warning,
within limits; nothing outside a folder is read; nothing prints wrong without a word."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from conftest import MINI, edit, pdftotext
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from transfo_print import inputs
from transfo_print.build import build
from transfo_print.diagnostics import ContentError
from transfo_print.figures import compose, read_drawing
from transfo_print.load import load
from transfo_print.options import Options
from transfo_print.paths import DEFAULT_LAYOUT
from transfo_print.photos import PhotoError, as_printed

SHEET = "01-start-the-engine.yaml"
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 60">'
PART = SVG_OPEN + '<g id="part"><path d="M10 10 L90 50"/></g></svg>'


def label(folder: Path, line: str) -> None:
    """Give the publication one label of its own (line 11 of publication.yaml)."""
    sheets = "sheets: [01-start-the-engine, 02-check-the-mirrors, 03-park-safely]"
    edit(folder, "publication.yaml", sheets, f"{sheets}\nlabels:\n  {line}")


@pytest.fixture
def source(tmp_path) -> Path:
    """The small publication, with a drawing on sheet 01 carrying both legend codes."""
    folder = tmp_path / "src"
    shutil.copytree(MINI, folder)
    (folder / "figures").mkdir()
    (folder / "figures" / "part.svg").write_text(PART, encoding="utf-8")
    edit(folder, SHEET, "  - label: Fig.k1\n", "  - label: Fig.k1\n"
         "    drawing: figures/part.svg\n    alt: A part, seen from the side\n"
         "    callouts:\n"
         "      - {code: k1, at: [20, 12], text_at: [10, 40]}\n"
         "      - {code: w, at: [80, 45], text_at: [90, 20]}\n")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load(folder)
    found = [str(p) for p in caught.value.problems]
    for line in found:  # every one names a file, a line and a column
        path, line_number, column, _ = line.split(":", 3)
        assert Path(path).exists() or Path(path).is_symlink(), line
        assert int(line_number) >= 1 and int(column) >= 1, line
    return found


def drawing(folder: Path, svg: str | bytes) -> None:
    path = folder / "figures" / "part.svg"
    path.write_bytes(svg if isinstance(svg, bytes) else svg.encode())


def png(width: int, height: int, bit_depth: int = 8, colour: int = 0) -> bytes:
    """A PNG of one grey row repeated; its header may claim any size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    row = b"\0" + b"\x80" * (width * bit_depth // 8)
    pixels = zlib.compress(row * min(height, 64))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


# --- drawings -------------------------------------------------------------------------------

DEEP = SVG_OPEN + "<g>" * 10_000 + "</g>" * 10_000 + "</svg>"
FAN = (SVG_OPEN + '<defs><path id="a0" d="M0 0L1 1"/>'
       + "".join(f'<g id="a{i}">' + f'<use href="#a{i - 1}"/>' * 10 + "</g>" for i in range(1, 5))
       + '</defs><use href="#a4"/></svg>')
CHAIN = (SVG_OPEN + '<defs><path id="u0" d="M0 0L1 1"/>'
         + "".join(f'<use id="u{i}" href="#u{i - 1}"/>' for i in range(1, 7))
         + '</defs><use href="#u6"/></svg>')

DRAWINGS = [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "is not an SVG file"),
    (SVG_OPEN + "<g>", "is not valid SVG"),
    (DEEP, "nested more than 50 deep"),
    (SVG_OPEN + '<path d="M0 0"/>' * 5_001 + "</svg>", "more than 5,000 elements"),
    (SVG_OPEN + '<g id="me"><use href="#me"/></g></svg>', "refers to itself"),
    (SVG_OPEN + '<use href="#nothing"/></svg>', "refers to no element"),
    (SVG_OPEN + '<path id="p" d="M0 0"/>\n<path id="p" d="M1 1"/></svg>',
     "id `p` is also that of the <path> on line 1"),
    (SVG_OPEN + '<clipPath id="c" clip-path="url(#c)"><path d="M0 0"/></clipPath>'
     '<path d="M0 0" clip-path="url(#c)"/></svg>', 'itself through clip-path="url(#c)"'),
    (SVG_OPEN + '<clipPath id="a" clip-path="url(#b)"><path d="M0 0"/></clipPath>'
     '<clipPath id="b"><path d="M0 0" clip-path="url(#a)"/></clipPath></svg>',
     "refers to itself through clip-path"),
    (FAN, "once every <use> is expanded"),
    (CHAIN, "<use> nested more than 4 deep"),
    ('<!DOCTYPE svg [<!ENTITY x "boom">]>' + SVG_OPEN + "</svg>", "entities are not allowed"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 nan 5"/>', "viewBox of four numbers"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1&quot;&gt;&lt;text&gt;X"/>',
     "viewBox of four numbers"),
    (SVG_OPEN + "<text>x</text></svg>", "<text> is not allowed"),
    (SVG_OPEN + '<image href="file:///etc/passwd"/></svg>', "<image> is not allowed"),
    (SVG_OPEN + '<path d="M0 0" fill="url(http://x/y)"/></svg>', "fill is not allowed"),
    ("<svg viewBox='0 0 1 1'/>", "not an SVG element"),
    (" " * 1_000_001, "bytes allowed"),
]


@pytest.mark.parametrize(("svg", "message"), DRAWINGS, ids=[m for _, m in DRAWINGS])
def test_a_bad_drawing_is_an_error_on_its_sheet_line(source, svg, message):
    drawing(source, svg)
    found = problems(source)
    assert any(message in p and f"{source / SHEET}:5:" in p for p in found), found


def test_a_drawing_is_written_from_its_parsed_tree_never_as_typed(source):
    drawing(source, SVG_OPEN + '<?hack <text>PI</text>?><!-- <text>C</text> -->'
            '<path d="M0 0" stroke="x&quot; onload=&quot;y"/></svg>')
    book = load(source)
    figure = book.sheets[0].sheet.figures[0]
    markup = str(compose(figure, source, book.sheets[0].sheet.legend, "p-"))
    assert "PI" not in markup and "<!--" not in markup and "hack" not in markup
    assert 'stroke="x&#34; onload=&#34;y"' in markup  # one attribute, its quotes escaped


def test_attributes_of_the_root_apply_to_the_drawing(source):
    drawing(source, PART.replace("<svg ", '<svg fill="none" stroke="#000" stroke-width="0.5" '))
    book = load(source)
    markup = str(compose(book.sheets[0].sheet.figures[0], source, [], "p-"))
    assert '<g fill="none" stroke="#000" stroke-width="0.5">' in markup


def test_an_outward_link_in_figures_is_refused(source, tmp_path):
    outside = tmp_path / "outside.svg"
    outside.write_text(PART, encoding="utf-8")
    (source / "figures" / "part.svg").unlink()
    (source / "figures" / "part.svg").symlink_to(outside)
    assert any("leads outside" in p for p in problems(source))
    with pytest.raises(ValueError, match="leads outside"):
        read_drawing(source / "figures" / "part.svg", source)


@pytest.mark.parametrize("folder", ["figures", "images"])
def test_a_folder_that_links_out_of_the_publication_is_refused(source, tmp_path, folder):
    """The folder itself a link: its files lie outside the publication, and are refused."""
    outside = tmp_path / "elsewhere"
    shutil.move(source / folder, outside)
    (source / folder).symlink_to(outside, target_is_directory=True)
    said = [p for p in problems(source) if "leads outside" in p]
    assert said and all(p.split(":")[0].endswith(".yaml") for p in said), said


# --- files that are not files ----------------------------------------------------------------


@pytest.mark.parametrize("name", [SHEET, "figures/part.svg", "images/workshop.jpg"])
def test_a_fifo_is_refused_without_waiting(source, name):
    (source / name).unlink()
    os.mkfifo(source / name)  # opening it for reading would wait for a writer for ever
    assert any("is not a regular file" in p for p in problems(source))


@pytest.mark.parametrize("name", [SHEET, "figures/part.svg", "images/workshop.jpg"])
def test_a_folder_where_a_file_should_be_is_refused(source, name):
    (source / name).unlink()
    (source / name).mkdir()
    assert any(f"{Path(name).name} is a folder" in p for p in problems(source))
    result = subprocess.run([sys.executable, "-m", "transfo_print", "build", str(source),
                             "--out", str(source / "out")], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr


def test_an_unreadable_file_is_an_error(source, monkeypatch):
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith(SHEET):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(inputs.os, "open", refuse)
    assert any(f"{SHEET}:1:1: error: cannot read {SHEET}: Permission denied" in p
               for p in problems(source))


# --- photos ----------------------------------------------------------------------------------

PHOTO_SHEET = "02-check-the-mirrors.yaml"


def photo(folder: Path, data: bytes) -> None:
    (folder / "images" / "workshop.jpg").write_bytes(data)


def jpeg(width: int, height: int, orientation: int | None = None) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 100, 50))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "message"), [
    (png(100_000, 100_000), "more pixels than any photo"),
    (png(9_000, 9_000), "over the 60,000,000 a photo may have"),
    (png(500, 500, bit_depth=16), "16 bits per channel"),
    (jpeg(900, 600)[:3000], "cannot be decoded whole"),
    (b"GIF89a" + b"\0" * 20, "is not an image that can be read"),
    (b"a text saved as .jpg", "workshop.jpg is not an image that can be read (save it as JPEG"),
], ids=["bomb", "too many pixels", "16-bit", "truncated", "damaged", "not an image"])
def test_a_photo_that_would_print_wrong_is_an_error(source, data, message):
    import weasyprint  # noqa: F401 - it makes Pillow lenient with truncated files on import

    photo(source, data)
    found = problems(source)
    assert any(message in p and f"{source / PHOTO_SHEET}:" in p for p in found), found


def test_photo_resolution_is_measured_as_it_prints_turned(source):
    photo(source, jpeg(900, 300, orientation=6))  # turned: 300 pixels wide on the page
    book = load(source)
    assert any("300 pixels wide: 109 dpi" in str(w) for w in book.warnings), book.warnings
    photo(source, jpeg(900, 300))
    assert not load(source).warnings


def test_a_grey_photo_obeys_the_same_rule(source, tmp_path):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(jpeg(900, 600))
    (source / "images" / "workshop.jpg").unlink()
    (source / "images" / "workshop.jpg").symlink_to(outside)
    edit(source, "publication.yaml", "revision: B", "revision: B\nphotos: grey")
    assert any("leads outside" in p for p in problems(source))
    with pytest.raises(PhotoError, match="leads outside"):
        as_printed(source / "images" / "workshop.jpg", source, grey=True)


# --- texts, numbers, templates, lists --------------------------------------------------------

TEXTS = [
    ('"Start\\0 the engine"', "U+0000", "control character"),
    ('"Start\\a the engine"', "U+0007", "control character"),
    ("Start the engine 🚗", "U+1F697", "none of the fonts"),
    ("Start the engine 発動", "U+767A", "none of the fonts"),
    ('"Start \\u202e123"', "U+202E", "direction control"),
    ('"\\u200b\\u200b"', "no visible character", "print blank"),
    ('"Start\\ufff9 the engine"', "U+FFF9", "invisible format character"),
    ('"Start\\u2028the engine"', "U+2028", "invisible format character"),
    ('"Start the engine\\u0301\\u0301\\u0301\\u0301"', "character 20", "combining marks stacked"),
    ("x" * 5_001, "5,001 characters", "over the 5,000"),
]


@pytest.mark.parametrize(("title", "detail", "message"), TEXTS, ids=[t[2] for t in TEXTS])
def test_a_text_that_cannot_print_names_its_character_line_and_field(source, title, detail,
                                                                      message):
    edit(source, SHEET, "title: Start the engine", f"title: {title}")
    found = problems(source)
    assert any(f"{source / SHEET}:2:" in p and "title: " in p and detail in p and message in p
               for p in found), found


def test_every_printed_field_is_checked(source):
    edit(source, SHEET, "        text: Testimonial of sheet 1.",
         "        text: Testimonial 🎤 of sheet 1.")
    label(source, 'continued: "cont\\x01"')
    found = problems(source)
    assert any("sections.testimonials.items[0].text: character `🎤` (U+1F3A4" in p for p in found)
    assert any("publication.yaml:" in p and "labels.continued: control" in p for p in found)


def test_a_callout_must_be_a_finite_number(source):
    edit(source, SHEET, "at: [20, 12]", "at: [.nan, 12]")
    assert any(f"{SHEET}:" in p and "figures[0].callouts[0].at[0]: expected a finite number"
               in p for p in problems(source))


def test_a_callout_outside_its_drawing_is_an_error(source):
    edit(source, SHEET, "text_at: [90, 20]", "text_at: [1e308, 20]")
    assert any(f"{SHEET}:" in p and "callouts[1].text_at: [1e+308, 20] lies outside the "
               "drawing: callouts are in its own units, x from 0 to 100" in p
               for p in problems(source))


@pytest.mark.parametrize(("template", "message"), [
    ("Sheet {number} of {total}", "only {number} and {count} may stand in braces"),
    ("Sheet {number:>999999999}", "takes no format"),
    ("Sheet {number!r}", "takes no format"),
    ("Sheet {number.__class__}", "not one of"),
    ("Sheet {number", "only {number} and {count} may stand in braces"),
    ("Planche", "must name {count} and {number} (it lacks {count}, {number})"),
    ("Sheet {number}", "(it lacks {count})"),
])
def test_a_label_template_is_checked_when_loaded(source, template, message):
    label(source, f'sheet: "{template}"')
    found = problems(source)
    assert any("publication.yaml:11:" in p and "labels.sheet: " in p and message in p
               for p in found), found


def test_an_address_too_long_for_a_qr_code_is_an_error(source):
    address = "https://example.org/" + "v" * 400
    edit(source, PHOTO_SHEET, "video: https://example.org/videos/check-the-mirrors",
         f"video: {address}")
    assert any("video: address of 420 characters is too long for a QR code" in p
               for p in problems(source))


def test_a_huge_list_is_refused_quickly(source):
    edit(source, SHEET, "      - list:\n", "      - list: [" + "a, " * 20_000 + "a]\n"
         "      - list:\n")
    found = problems(source)
    assert any(f"{SHEET}:25:" in p and "blocks[2].list: list of 20,001 entries, over the 200"
               in p for p in found), found


def test_a_raw_control_byte_and_a_huge_number_are_located(source):
    edit(source, SHEET, "title: Start the engine", "title: Start\0 the engine")
    edit(source, "publication.yaml", "revision: B", "revision: " + "9" * 5_001)
    found = problems(source)
    assert f"{source / SHEET}:2:13: error: character U+0000 is not allowed in YAML" in found[0]
    assert any("publication.yaml:" in p and "revision: a number of 5,001 digits" in p
               for p in found), found


@pytest.mark.parametrize(("old", "new", "message"), [
    ("language: en", "language: xx", "labels are shipped for fr and en only"),
    ("revision: B", 'revision: "\\ud800"', "revision: text holds a lone surrogate"),
])
def test_a_publication_mistake_says_what_to_do(source, old, new, message):
    edit(source, "publication.yaml", old, new)
    found = problems(source)
    assert any("publication.yaml:" in p and message in p for p in found), found


def test_two_challenges_of_one_number_are_an_error(source):
    edit(source, SHEET, "        text: Challenge text of sheet 1?\n",
         "        text: Challenge text of sheet 1?\n      - number: 1\n        text: Another?\n")
    found = problems(source)
    assert any(f"{SHEET}:" in p and "challenges.items[1].number: challenge number 1 is also "
               "that of items[0]" in p for p in found), found


def test_a_sheet_too_long_to_lay_out_in_seconds_is_refused(source):
    """Every field within its limits, the whole past the sheet's: refused when loaded."""
    paragraph = "      - text: " + "27e siècle, " * 400 + "\n"  # 4,800 characters
    edit(source, SHEET, "      - list:\n", paragraph * 13 + "      - list:\n")
    found = problems(source)
    assert any(f"{SHEET}:1:1: error: " in p and "characters of text, over the 60,000 a sheet "
               "may hold" in p for p in found), found


def test_a_legend_too_long_for_a_page_is_a_warning(source):
    entries = "".join(f"  - code: x{i}\n    label: Extra {i}\n" for i in range(23))
    edit(source, SHEET, "legend:\n", "legend:\n" + entries)
    callouts = "".join(f"      - {{code: x{i}, at: [{i + 30}, 30], text_at: [{i + 30}, 55]}}\n"
                       for i in range(23))
    edit(source, SHEET, "    callouts:\n", "    callouts:\n" + callouts)
    book = load(source)
    assert any("legend of 25 entries does not fit" in str(w) for w in book.warnings)


# --- the whole build on generated hostile input ----------------------------------------------

MARK = "SMUGGLED"
# Mostly what a drawing may hold, so that many examples reach the layout engine, with values
# full of quotes, brackets and ampersands, and the marker hidden where it must never print.
HOSTILE_VALUE = st.text(alphabet=f"0123456789 .,-#<>&\"'();{MARK}", max_size=16)
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["d", "fill", "stroke", "stroke-width", "transform", "id", "style",
                     "clip-path", "x", "width"]),
    HOSTILE_VALUE, max_size=3)
ELEMENTS = st.sampled_from(["g", "g", "path", "path", "rect", "circle", "defs", "pattern",
                            "title", "desc", "text"])
EXTRAS = st.sampled_from(["", "", f"<?x {MARK}?>", f"<!-- {MARK} -->", f"<title>{MARK}</title>",
                          f"<desc>{MARK}</desc>", "&amp;", "<g>"])
TITLES = st.one_of(st.text(alphabet="Start engine éàç'\"*;:!?-.«»", min_size=1, max_size=24),
                   st.text(max_size=24))


def _element(name: str, attributes: dict, children: str) -> str:
    written = "".join(f' {k}="{escape(v)}"' for k, v in attributes.items())
    return f"<{name}{written}>{children}</{name}>"


ELEMENT_TREES = st.recursive(
    st.builds(_element, ELEMENTS, ATTRIBUTES, EXTRAS),
    lambda children: st.builds(_element, ELEMENTS, ATTRIBUTES,
                               st.lists(st.one_of(children, EXTRAS), max_size=3).map("".join)),
    max_leaves=8)
DRAWINGS_GENERATED = st.builds(
    lambda root, body, extra: (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 60"'
                               f'{"".join(f" {k}={quoteattr(v)}" for k, v in root.items())}>'
                               f"{extra}{body}</svg>"),
    st.dictionaries(st.sampled_from(["fill", "stroke", "stroke-width", "style"]),
                    HOSTILE_VALUE, max_size=2),
    st.lists(ELEMENT_TREES, max_size=3).map("".join), EXTRAS)
PHOTOS = st.sampled_from([
    jpeg(900, 600), jpeg(900, 600), jpeg(900, 300, orientation=8), jpeg(900, 600)[:2000],
    png(300, 200, 16), b"\xff\xd8\xff" + b"\0" * 50])


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(svg=DRAWINGS_GENERATED, title=TITLES, image=PHOTOS)
def test_the_build_of_hostile_input_is_clean_pages_or_located_errors(tmp_path_factory, svg,
                                                                     title, image):
    folder = tmp_path_factory.mktemp("hostile") / "src"
    shutil.copytree(MINI, folder)
    (folder / "figures").mkdir()
    drawing(folder, svg)
    (folder / "images" / "workshop.jpg").write_bytes(image)
    sheet = folder / SHEET
    sheet.write_text(sheet.read_text("utf-8").replace(
        "title: Start the engine", f"title: {json.dumps(title, ensure_ascii=False)}").replace(
        "  - label: Fig.k1\n", "  - label: Fig.k1\n    drawing: figures/part.svg\n"
        "    callouts:\n      - {code: k1, at: [20, 12], text_at: [10, 40]}\n"
        "      - {code: w, at: [80, 45], text_at: [90, 20]}\n").replace(
        "      - caption: a photo caption of sheet 1",
        "      - caption: a photo caption of sheet 1\n        image: images/workshop.jpg"), "utf-8")
    out = tmp_path_factory.mktemp("out")
    try:
        book = load(folder)
        result = build(book, out, options=Options(only=(1,)))
    except ContentError as error:
        event("refused: " + error.problems[0].message[:30])
        for problem in error.problems:  # located: an existing file, a line, a column
            assert Path(problem.path).exists() and problem.line >= 1, problem
        assert not list(out.rglob("*.pdf"))
        return
    event("built")
    pdf = out / "sheets" / "01-start-the-engine.pdf"
    assert pdf in result.outputs
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    assert MARK not in pdftotext(pdf)
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


def _page_image(source: Path, out: Path) -> bytes:
    build(load(source), out, options=Options(only=(1,)))
    pdf = out / "sheets" / "01-start-the-engine.pdf"
    return subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-gray", str(pdf)],
                          check=True, capture_output=True).stdout


def test_a_drawing_prints_the_same_with_its_style_on_the_root_or_on_its_shapes(source, tmp_path):
    """`<svg fill="none" stroke="#000">` once printed its shapes solid black."""
    shapes = '<rect x="10" y="10" width="80" height="40"/><circle cx="50" cy="30" r="15"/>'
    style = 'fill="none" stroke="#000" stroke-width="2"'
    drawing(source, SVG_OPEN.replace("<svg ", f"<svg {style} ") + shapes + "</svg>")
    on_root = _page_image(source, tmp_path / "root")
    drawing(source, SVG_OPEN + shapes.replace("/>", f" {style}/>") + "</svg>")
    on_shapes = _page_image(source, tmp_path / "shapes")
    drawing(source, SVG_OPEN + shapes + "</svg>")  # the default: solid black
    solid = _page_image(source, tmp_path / "solid")
    assert on_root == on_shapes
    assert on_root != solid


def test_what_typography_adds_is_in_the_fonts():
    from transfo_print.checks import printable
    from transfo_print.typography import NBSP, NNBSP

    added = "“”‘’–—…«»☛" + NBSP + NNBSP
    assert not [c for c in added if ord(c) not in printable()]


def test_outputs_are_replaced_all_or_none(tmp_path):
    from transfo_print.booklet import replace_all, temporary_beside

    old = {tmp_path / "a.pdf": b"old a", tmp_path / "b.pdf": b"old b"}
    for path, data in old.items():
        path.write_bytes(data)
    (tmp_path / "c.pdf").mkdir()  # the third cannot be put in place
    (tmp_path / "c.pdf" / "x").write_bytes(b"")
    pairs = []
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        temporary = temporary_beside(tmp_path / name)
        temporary.write_bytes(b"new")
        pairs.append((temporary, tmp_path / name))
    with pytest.raises(OSError):
        replace_all(pairs)
    assert {p: p.read_bytes() for p in old} == old
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == [
        pairs[2][0].name]  # the one never placed, which the build removes


def test_a_copied_layout_whose_fonts_are_out_of_reach_is_an_error_on_its_line(tmp_path):
    """The layout copied elsewhere to make one's own: its url()s still lead to ../../fonts,
    which is no folder a layout may use. A located error, no traceback, nothing written."""
    layout = tmp_path / "my-layout"
    shutil.copytree(DEFAULT_LAYOUT, layout)
    font_line = next(n for n, line in enumerate(
        (layout / "page.css").read_text("utf-8").splitlines(), 1) if "url(../../fonts/" in line)
    result = subprocess.run(
        [sys.executable, "-m", "transfo_print", "build", str(MINI), "--layout", str(layout),
         "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{layout / 'page.css'}:{font_line}:1: error: refused to "
                                    f"fetch {tmp_path.parent / 'fonts'}/")
    assert "a layout may use files from" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nor the folders made for the outputs


@pytest.mark.parametrize("missing", ["matter.html.j2", "front.html.j2", "sheet.html.j2"])
def test_a_layout_without_a_template_it_needs_is_an_error_naming_it(tmp_path, missing):
    """A layout copied from an older version has no matter.html.j2; one may lose a template
    that another includes. A located error, said once however many sheets meet it, no
    traceback, nothing written."""
    layout = tmp_path / "layouts" / "mine"
    shutil.copytree(DEFAULT_LAYOUT, layout)
    (tmp_path / "fonts").symlink_to(DEFAULT_LAYOUT.parent.parent / "fonts")
    (layout / missing).unlink()
    result = subprocess.run(
        [sys.executable, "-m", "transfo_print", "build", str(MINI), "--layout", str(layout),
         "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(
        f"{layout / missing}:1:1: error: template: the layout has no {missing}"), result.stderr
    assert result.stderr.count("the layout has no") == 1, result.stderr
    assert "1 error(s); nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("template", "mistake", "says"), [
    ("sheet.html.j2", "{{ no_such_name }}", "UndefinedError: 'no_such_name' is undefined"),
    ("back.html.j2", "{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
    ("front.html.j2", "{{ sheets | no_such_filter }}", "No filter named 'no_such_filter'"),
])
def test_a_mistake_in_a_layout_template_names_its_file_and_line(tmp_path, template, mistake,
                                                                 says):
    """A layout is the user's code: a name it does not know or a division by zero, met as a
    sheet or the matter is laid out, is an error at the template's line (it was a traceback,
    or an error at line 1 of the first sheet), with or without worker processes."""
    layout = tmp_path / "layouts" / "mine"
    shutil.copytree(DEFAULT_LAYOUT, layout)
    (tmp_path / "fonts").symlink_to(DEFAULT_LAYOUT.parent.parent / "fonts")
    lines = (layout / template).read_text("utf-8").splitlines()
    # into what is output: a sheet's content block; the matter's templates are included
    line = next((n for n, text in enumerate(lines, 2) if "{% block content %}" in text), 3)
    lines.insert(line - 1, mistake)
    (layout / template).write_text("\n".join(lines) + "\n", "utf-8")
    for jobs in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "transfo_print", "build", str(MINI), "--layout", str(layout),
             "--out", str(tmp_path / "out"), "-j", jobs], capture_output=True, text=True)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith(f"{layout / template}:{line}:1: error: template: "), \
            result.stderr
        assert says in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "out").exists()
