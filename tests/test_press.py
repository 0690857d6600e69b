"""The print-shop PDF: CMYK with black on K alone, the registration colour for the marks,
a CMYK printing-condition output intent; and the preflight that checks it, shown passing
the real files and failing each check on a file made to break it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import MINI, ROOT, SHEETS
from PIL import Image

from transfo_print.preflight import preflight
from transfo_print.press import PROFILE

MM = 72 / 25.4


def run(*args: str, code: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "transfo_print", *args], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == code, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def press(tmp_path_factory) -> dict[str, Path]:
    """The print-shop booklets of the real publication and of the small one."""
    out = tmp_path_factory.mktemp("press")
    run("build", str(SHEETS), "--out", str(out / "real"), "--press")
    run("build", str(MINI), "--out", str(out / "mini"), "--press")
    return {"real": out / "real" / "print" / "la-transfo-print.pdf",
            "mini": out / "mini" / "print" / "field-notes-print.pdf"}


def colour_operators(pdf) -> list[tuple[str, list[float]]]:
    """Every colour operator of every content stream: pages, forms and patterns."""
    owners = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and (
        obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1)] + list(pdf.pages)
    return [(str(op), [float(v) for v in operands if not isinstance(v, pikepdf.Name)])
            for owner in owners for operands, op in pikepdf.parse_content_stream(owner)
            if str(op) in ("rg", "RG", "g", "G", "k", "K", "sc", "scn", "SC", "SCN")]


@pytest.mark.parametrize("name", ["real", "mini"])
def test_press_file_is_cmyk_with_black_on_k_alone(press, name):
    pdf = pikepdf.open(press[name])
    operators = colour_operators(pdf)
    assert operators
    assert {op for op, _ in operators} <= {"k", "K", "SCN", "scn"}
    for op, values in operators:
        if op in ("k", "K"):
            c, m, y, _ = values
            assert c == m == y == 0, (op, values)  # black and greys: K alone
    # No RGB colour space anywhere in the file: resources, images, intents, streams.
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
            text = repr(obj)
            assert "/DeviceRGB" not in text and "/CalRGB" not in text, text[:200]
        if isinstance(obj, pikepdf.Stream) and obj.get("/N") is not None:
            assert int(obj.N) != 3  # no RGB ICC profile


def test_the_photo_is_converted_with_the_output_profile(press):
    pdf = pikepdf.open(press["mini"])
    images = [obj for obj in pdf.objects
              if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
    assert images and all(image.ColorSpace == "/DeviceCMYK" for image in images)
    photo = pikepdf.PdfImage(images[0]).as_pil_image()
    assert photo.mode == "CMYK"
    # A colour photo converted with a profile lays ink on all four plates.
    assert all(band.getextrema()[1] > 0 for band in photo.split())


@pytest.mark.parametrize("name", ["real", "mini"])
def test_output_intent_is_a_cmyk_printing_condition(press, name):
    pdf = pikepdf.open(press[name])
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFX"
    profile = intent.DestOutputProfile.read_bytes()
    assert profile[12:20] == b"prtrCMYK"
    assert profile == PROFILE.read_bytes()
    assert str(intent.OutputCondition) == "ISO Coated v2 300% (basICColor)"
    xmp = pdf.Root.Metadata.read_bytes().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp


def test_no_transparency_where_nothing_is_transparent(press):
    pdf = pikepdf.open(press["real"])
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            assert "/Group" not in obj  # nothing here is drawn transparent
            if "/ca" in obj or "/CA" in obj:
                assert float(obj.get("/ca", 1)) == float(obj.get("/CA", 1)) == 1


def test_the_profile_ships_with_its_licence():
    licence = PROFILE.with_suffix(".txt").read_text()
    assert "zlib/libpng" in licence and "basICColor" in licence


def cmyk_page(pdf: Path, page: int, dpi: int = 100) -> Image.Image:
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiff32nc",
                    f"-r{dpi}", f"-dFirstPage={page}", f"-dLastPage={page}",
                    f"-sOutputFile={pdf.with_suffix(f'.{page}.tif')}", str(pdf)], check=True)
    return Image.open(pdf.with_suffix(f".{page}.tif")).convert("CMYK")


def test_marks_are_in_the_registration_colour_and_centring_marks_reach_the_bleed(
        press, tmp_path):
    pdf = tmp_path / "press.pdf"
    pdf.write_bytes(press["mini"].read_bytes())
    with pikepdf.open(pdf) as document:
        page = document.pages[2].obj
        left, _, _, top = (float(v) for v in page.MediaBox)
        trim = [float(v) for v in page.TrimBox]
        bleed = [float(v) for v in page.BleedBox]
    image = cmyk_page(pdf, 3)  # a page of a sheet, in its frame

    def pixel(x: float, y: float) -> tuple[int, int]:
        scale = 100 / 72
        return round((x - left) * scale), round((top - y) * scale)

    # Top left, outside the trim: the crop marks, on every plate at once.
    x, y = pixel(trim[0], trim[3])
    corner = image.crop((0, 0, x + 1, y + 1))
    data = corner.tobytes()
    pixels = [p for p in zip(data[0::4], data[1::4], data[2::4], data[3::4], strict=True)
              if any(p)]
    assert pixels, "no crop mark in the top left corner"
    assert all(len(set(p)) == 1 for p in pixels)  # C = M = Y = K: the registration colour
    # The top bleed: some column is inked from the trim out to the bleed's edge.
    x0, y0 = pixel(trim[0], bleed[3])
    x1, y1 = pixel(trim[2], trim[3])
    black = image.crop((x0, y0 + 1, x1, y1 - 1)).split()[3]
    columns = black.resize((black.width, 1), Image.Resampling.BOX).tobytes()
    assert max(columns) == 255, "no centring mark runs through the top bleed"


# --- the preflight ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reports(press) -> dict[str, dict]:
    return {name: {c.name: c for c in preflight(path)} for name, path in press.items()}


@pytest.mark.parametrize("name", ["real", "mini"])
def test_preflight_passes_the_print_files(reports, name):
    checks = reports[name]
    assert len(checks) == 11
    for check in checks.values():
        assert check.status != "fail", check
    assert checks["colour spaces"].status == checks["black"].status == "pass"
    assert checks["ink coverage"].status == "pass"


@pytest.mark.parametrize("name", ["real", "mini"])
def test_preflight_finds_nothing_past_the_trim_of_the_print_file(reports, name):
    checks = reports[name]
    assert checks["past the trim"].status == "pass", checks["past the trim"]


def test_preflight_command_exit_status(press, tmp_path):
    bad = make_pdf(tmp_path / "bad.pdf", content=b"1 0 0 rg 300 300 20 20 re f")
    good = make_pdf(tmp_path / "good.pdf")
    assert "pass  colour spaces" in run("preflight", str(good)).stdout
    result = run("preflight", str(bad), code=1)
    assert "fail  colour spaces" in result.stdout
    # A screen PDF (no bleed, no PDF/X): fails, and says where the print shop's file comes from.
    screen = make_pdf(tmp_path / "screen.pdf", bleed=0, xmp=False)
    result = run("preflight", str(screen), code=1)
    assert "fail  PDF/X" in result.stdout and "build --press" in result.stdout
    assert "pass  past the trim" in result.stdout
    (tmp_path / "not.pdf").write_text("hello")
    result = run("preflight", str(tmp_path / "not.pdf"), code=2)
    assert "not a readable PDF" in result.stderr and "Traceback" not in result.stderr
    # A content stream with an operator short of operands: a clear error, no traceback.
    broken = make_pdf(tmp_path / "broken.pdf", content=b"0 0 0 1 k 1 2 cm")
    result = run("preflight", str(broken), code=2)
    assert "page 1 cannot be read" in result.stderr and "Traceback" not in result.stderr


# A4 trim, 3 mm bleed, 10 mm of room for marks: as the print-shop booklet is laid out.
ROOM, BLEED = 10 * MM, 3 * MM
WIDTH, HEIGHT = 210 * MM + 2 * ROOM, 297 * MM + 2 * ROOM


def make_pdf(path: Path, content: bytes = b"", *, bleed: float = BLEED, xmp: bool = True,
             intent: str = "cmyk", font: bool = False, image: tuple[int, float] | None = None,
             ) -> Path:
    """A one-page PDF/X-4-like file: right unless an argument breaks one thing."""
    from PIL import ImageCms

    pdf = pikepdf.new()
    trim = [ROOM, ROOM, WIDTH - ROOM, HEIGHT - ROOM]
    resources = pikepdf.Dictionary()
    if font:
        resources.Font = pikepdf.Dictionary(F1=pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    if image is not None:
        pixels, _ = image
        resources.XObject = pikepdf.Dictionary(Im1=pdf.make_stream(
            bytes(4 * pixels * pixels), Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image, Width=pixels, Height=pixels,
            ColorSpace=pikepdf.Name.DeviceCMYK, BitsPerComponent=8))
        size = image[1] * MM
        content += f"\nq {size:.2f} 0 0 {size:.2f} 200 300 cm /Im1 Do Q".encode()
    page = pdf.add_blank_page(page_size=(WIDTH, HEIGHT))
    page.obj.Resources = resources
    page.obj.TrimBox = trim
    page.obj.BleedBox = [trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
    page.obj.Contents = pdf.make_stream(content)
    if xmp:
        pdf.Root.Metadata = pdf.make_stream(
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            b'02/22-rdf-syntax-ns#" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" '
            b'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
            b'<rdf:Description rdf:about=""><pdfxid:GTS_PDFXVersion>PDF/X-4'
            b'</pdfxid:GTS_PDFXVersion><xmpMM:DocumentID>xmp.did:1</xmpMM:DocumentID>'
            b'<xmpMM:InstanceID>xmp.iid:1</xmpMM:InstanceID><xmpMM:VersionID>1'
            b'</xmpMM:VersionID><xmpMM:RenditionClass>default</xmpMM:RenditionClass>'
            b'</rdf:Description></rdf:RDF></x:xmpmeta>',
            Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    profile = (PROFILE.read_bytes() if intent == "cmyk"
               else ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    pdf.Root.OutputIntents = [pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier="test", DestOutputProfile=pdf.make_stream(
            profile, N=4 if intent == "cmyk" else 3))]
    pdf.docinfo["/Trapped"] = pikepdf.Name("/False")
    pdf.save(path)
    return path


TRIM_LEFT = ROOM
# What breaks each check; the line drawn in the good file is 0.5 pt, pure K.
BREAKS = {
    "PDF/X": [{"xmp": False}, {"intent": "rgb"}],
    "page boxes": [{"bleed": 5 * MM}],
    "past the trim": [
        # a box that crosses the trim by 1.5 mm and stops in the bleed
        {"content": f"0 0 0 1 k {TRIM_LEFT - 1.5 * MM:.2f} 300 40 40 re f".encode()},
        # ink outside the bleed that is not the registration colour
        {"content": f"0 0 0 1 k {TRIM_LEFT - 8 * MM:.2f} 300 10 10 re f".encode()},
    ],
    "colour spaces": [{"content": b"0.2 0.4 0.6 rg 300 300 20 20 re f"}],
    "black": [{"content": b"0.6 0.5 0.5 1 K 0.5 w 300 300 m 400 300 l S"}],
    "ink coverage": [{"content": b"1 1 1 1 k 300 300 40 40 re f"}],
    "fonts": [{"font": True, "content": b"0 0 0 1 k BT /F1 9 Tf 300 300 Td (A) Tj ET"}],
    "image resolution": [{"image": (40, 50)}],  # 40 pixels over 50 mm: 20 ppi
    "smallest text": [{"font": True, "content": b"0 0 0 1 k BT /F1 2 Tf 300 300 Td (A) Tj ET"}],
    "thinnest line": [{"content": b"0 0 0 1 K 0.05 w 300 300 m 400 300 l S"}],
}
# A rule in K, and a box that runs from inside the trim out to the bleed's edge.
GOOD_LINE = (b"0 0 0 1 K 0.5 w 300 300 m 400 300 l S\n"
             + f"0 0 0 0.5 k {TRIM_LEFT - BLEED:.2f} 500 {BLEED + 20 * MM:.2f} 30 re f".encode())


def test_the_good_test_file_passes_every_check(tmp_path):
    checks = preflight(make_pdf(tmp_path / "good.pdf", GOOD_LINE, image=(600, 50)))
    assert [c.status for c in checks] == ["pass"] * len(checks), checks


@pytest.mark.parametrize(("change", "said"), [
    (lambda pdf: pdf.Root.Metadata.write(pdf.Root.Metadata.read_bytes().replace(
        b">default<", b">proof:pdf<")), "RenditionClass 'proof:pdf'"),
    (lambda pdf: pdf.Root.Metadata.write(pdf.Root.Metadata.read_bytes().replace(
        b"InstanceID", b"OtherID")), "no xmpMM:InstanceID"),
    (lambda pdf: setattr(pdf.pages[0].obj, "Annots", pdf.make_indirect(pikepdf.Array([
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                           Rect=[100, 100, 200, 120])]))), "annotations (links) on page 1"),
], ids=["a proof", "no instance", "a link"])
def test_the_identification_says_the_file_is_the_master_without_links(tmp_path, change, said):
    path = make_pdf(tmp_path / "good.pdf", GOOD_LINE)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    (identification,) = [c for c in preflight(path) if c.name == "PDF/X"]
    assert identification.status == "fail" and said in identification.detail, identification


def test_the_print_file_is_the_master_and_carries_no_links(press):
    for path in press.values():
        with pikepdf.open(path) as pdf:
            xmp = pdf.Root.Metadata.read_bytes()
            assert b"<xmpMM:RenditionClass>default<" in xmp and b"InstanceID>" in xmp
            assert b"GTS_PDFXConformance" not in xmp
            assert not any("/Annots" in page.obj for page in pdf.pages)


def test_a_booklet_of_pages_not_a_multiple_of_four_is_flagged(tmp_path):
    path = make_pdf(tmp_path / "leaf.pdf", GOOD_LINE)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for _ in range(4):
            pdf.pages.append(pdf.pages[0])
        pdf.save(path)
    (count,) = [c for c in preflight(path) if c.name == "page count"]
    assert count.status == "warn" and "5 pages" in count.detail, count
    assert "3 more blank pages" in count.detail, count


@pytest.mark.parametrize(("check", "breaking"),
                         [(name, b) for name, bs in BREAKS.items() for b in bs])
def test_each_check_can_fail(tmp_path, check, breaking):
    arguments = {"content": GOOD_LINE, **breaking}
    checks = {c.name: c for c in preflight(make_pdf(tmp_path / "bad.pdf", **arguments))}
    assert checks[check].status == "fail", checks[check]


def test_rich_black_fill_is_flagged(tmp_path):
    pdf = make_pdf(tmp_path / "rich.pdf", GOOD_LINE + b"\n0.6 0.4 0.4 1 k 300 400 40 40 re f")
    checks = {c.name: c for c in preflight(pdf)}
    assert checks["black"].status == "warn" and "rich black" in checks["black"].detail


# --- photos in other colour spaces -----------------------------------------------------------


def test_a_cmyk_photo_prints_through_srgb_within_the_ink_limit(tmp_path):
    """The engine writes a CMYK photo as it is (400 % here, which the preflight fails and
    the press cannot print): it is given the photo in sRGB, which the press converts."""
    import io

    from PIL import ImageCms

    from transfo_print.photos import as_printed
    from transfo_print.press import INK_LIMIT, _transform

    (tmp_path / "images").mkdir()
    path = tmp_path / "images" / "dark.jpg"
    Image.new("CMYK", (64, 64), (255, 255, 255, 255)).save(path, quality=95)
    with Image.open(io.BytesIO(as_printed(path, tmp_path))) as printed:
        assert printed.mode == "RGB"
        ink = _transform(ImageCms.Intent.PERCEPTUAL).apply(printed)  # as press.py converts
    inks = ink.tobytes()  # C, M, Y, K a byte each
    assert max(sum(inks[i:i + 4]) for i in range(0, len(inks), 4)) * 100 / 255 <= INK_LIMIT + 1


def test_an_rgb_photo_in_another_space_is_converted_and_an_srgb_one_kept(tmp_path):
    """A profile other than sRGB (Adobe RGB...) would be dropped by the engine: the photo
    is converted with it. An untagged or sRGB photo is handed over as the file itself."""
    from PIL import ImageCms

    from transfo_print.photos import as_printed

    (tmp_path / "images").mkdir()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    named = "sRGB".encode("utf-16-be")  # its description, in a v4 profile
    assert named in srgb
    other = srgb.replace(named, "wide".encode("utf-16-be"))  # the same curves, another name
    for name, profile in (("plain", None), ("srgb", srgb), ("other", other)):
        photo = Image.new("RGB", (32, 32), (200, 40, 40))
        photo.save(tmp_path / "images" / f"{name}.jpg",
                   **({"icc_profile": profile} if profile else {}))
    assert as_printed(tmp_path / "images" / "plain.jpg", tmp_path) is None
    assert as_printed(tmp_path / "images" / "srgb.jpg", tmp_path) is None
    assert as_printed(tmp_path / "images" / "other.jpg", tmp_path)[:2] == b"\xff\xd8"  # JPEG


@pytest.mark.parametrize("profile", [b"not a profile" * 10, "rgb"], ids=["damaged", "for RGB"])
def test_a_cmyk_photo_with_a_profile_that_does_not_serve_goes_with_the_press_s(tmp_path,
                                                                              profile):
    """A profile that cannot be read, or is not for CMYK, is passed over: the photo still
    comes out in sRGB, as the same photo without a profile does (no traceback)."""
    import io

    from PIL import ImageCms

    from transfo_print.photos import as_printed

    if profile == "rgb":
        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (tmp_path / "images").mkdir()
    red = Image.new("CMYK", (8, 8), (0, 255, 255, 0))
    red.save(tmp_path / "images" / "plain.jpg")
    red.save(tmp_path / "images" / "tagged.jpg", icc_profile=profile)
    colours = []
    for name in ("plain", "tagged"):
        with Image.open(io.BytesIO(as_printed(tmp_path / "images" / f"{name}.jpg",
                                              tmp_path))) as printed:
            colours.append(printed.convert("RGB").getpixel((4, 4)))
    assert colours[0] == colours[1]
    assert colours[0][0] > 200 and colours[0][1] < 40  # red
