"""Preflight: check a PDF as a print shop would before it goes to plate, in the spirit of
the Ghent Workgroup's GWG2015 checks on PDF/X-4.

Each check gives pass, warn or fail. What is measured comes from the file itself: its
metadata and page boxes, every content stream (pages, forms and patterns, walked with the
graphics state: colours, line widths, text sizes, image placements) and, for the ink, a
CMYK raster of every page made by Ghostscript, which applies no colour conversion to CMYK
content, so its pixels are the plates' tint values.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .booklet import blank_pages
from .diagnostics import counted
from .geometry import PRINT_MIN_PPI, PT_PER_MM
from .press import INK_LIMIT
from .typeset import BLEED_MM

BOX_TOLERANCE_MM = 0.05
RASTER_DPI = 100  # 0.25 mm a pixel: fine enough for the 3 mm bleed, quick for a booklet
INK_THRESHOLD = 26  # of 255: what counts as ink on a plate in the raster (10 %)
# Limits for sheet-fed offset, of the kind GWG2015 sets (each of its variants has its own);
# a photo under 150 dpi at print size is already a warning when the sheets are loaded.
THINNEST_LINE_PT = 0.125  # fail under
THIN_LINE_PT = 0.25  # warn under
IMAGE_PPI_FAIL = PRINT_MIN_PPI
IMAGE_PPI_WARN = 225
SMALLEST_TEXT_PT = 3  # fail under
SMALL_TEXT_PT = 5  # warn under
RICH_BLACK_K = 0.8  # a colour with this much K and any C, M or Y is a rich black


class PreflightError(Exception):
    """The file cannot be checked (not a PDF, Ghostscript missing)."""


@dataclass
class Check:
    name: str
    status: str  # "pass", "warn" or "fail"
    detail: str


@dataclass
class Usage:
    """What the content streams draw, gathered over the whole file."""

    spaces: set[str] = field(default_factory=set)
    rgb: list[str] = field(default_factory=list)
    multi_plate_black: list[str] = field(default_factory=list)  # text and rules
    rich_black_fills: int = 0
    pure_k: int = 0  # text and rules drawn in K alone
    text: tuple[float, int] | None = None  # smallest (size pt, page)
    line: tuple[float, int] | None = None  # thinnest (width pt, page)
    images: list[tuple[float, int, str]] = field(default_factory=list)  # (ppi, page, name)
    fonts: dict[str, bool] = field(default_factory=dict)  # name -> embedded


def _space_name(space, resources) -> tuple[str, object]:
    """('DeviceCMYK'|'DeviceRGB'|'Separation All'|…, the space) of a colour space operand."""
    import pikepdf

    if isinstance(space, pikepdf.Name) and space not in (
            "/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern"):
        space = (resources.get("/ColorSpace") or {}).get(space, space)
    if isinstance(space, pikepdf.Array):
        family = str(space[0])[1:]
        if family == "ICCBased":
            return f"ICCBased N={int(space[1].get('/N', 0))}", space
        if family == "Separation":
            return f"Separation {str(space[1])[1:]}", space
        return family, space
    return str(space)[1:], space


def _is_rgb_space(name: str) -> bool:
    return name in ("DeviceRGB", "CalRGB", "ICCBased N=3")


def _components(name: str) -> int:
    return {"DeviceGray": 1, "DeviceRGB": 3, "DeviceCMYK": 4, "CalRGB": 3, "Lab": 3,
            "ICCBased N=3": 3, "ICCBased N=4": 4, "ICCBased N=1": 1}.get(name, 1)


def _scale(m) -> float:
    return math.sqrt(abs(m.a * m.d - m.b * m.c))


class _Walker:
    """Walks content streams with the graphics state that the checks need."""

    def __init__(self, usage: Usage):
        self.usage = usage
        self.fonts_seen: set = set()

    def note_fonts(self, resources) -> None:
        for font in (resources.get("/Font") or {}).values():
            if font.objgen in self.fonts_seen:
                continue
            self.fonts_seen.add(font.objgen)
            name = str(font.get("/BaseFont", "/(Type 3)"))[1:]
            if font.get("/Subtype") == "/Type3":
                self.usage.fonts[name] = True
                continue
            described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            self.usage.fonts[name] = descriptor is not None and any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))

    def colour(self, state, side: str, what: str, page: int) -> None:
        space, values = state[side]
        self.usage.spaces.add(space)
        if _is_rgb_space(space):
            self.usage.rgb.append(f"page {page}: {what} in {space}")
            return
        if space != "DeviceCMYK" or len(values) != 4:
            if space in ("DeviceGray", "Separation Black") and what != "fill":
                self.usage.pure_k += 1
            return
        c, m, y, k = values
        rich = k >= RICH_BLACK_K and max(c, m, y) > 0
        if what == "fill":
            self.usage.rich_black_fills += rich
        elif rich or (k > 0 and c == m == y > 0):
            self.usage.multi_plate_black.append(
                f"page {page}: {what} in {c:g} {m:g} {y:g} {k:g}")
        elif max(c, m, y) == 0:
            self.usage.pure_k += 1

    def walk(self, owner, resources, ctm, page: int, seen: set) -> None:
        import pikepdf

        resources = resources if resources is not None else pikepdf.Dictionary()
        self.note_fonts(resources)
        black = ("DeviceCMYK", [0.0, 0.0, 0.0, 1.0])
        state = {"ctm": ctm, "fill": black, "stroke": black, "width": 1.0, "size": 0.0}
        stack = []
        tm = pikepdf.Matrix()
        for operands, operator in pikepdf.parse_content_stream(owner):
            op = str(operator)
            if op == "q":
                stack.append(dict(state))
            elif op == "Q" and stack:
                state = stack.pop()
            elif op == "cm":
                state["ctm"] = pikepdf.Matrix(*map(float, operands)) @ state["ctm"]
            elif op == "w":
                state["width"] = float(operands[0])
            elif op in ("g", "G", "rg", "RG", "k", "K"):
                name = {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}[len(operands)]
                state["fill" if op.islower() else "stroke"] = (name,
                                                              [float(v) for v in operands])
            elif op in ("cs", "CS"):
                name, _ = _space_name(operands[0], resources)
                state["fill" if op == "cs" else "stroke"] = (name, [0.0] * _components(name))
            elif op in ("sc", "scn", "SC", "SCN"):
                side = "fill" if op.islower() else "stroke"
                numbers = [float(v) for v in operands if not isinstance(v, pikepdf.Name)]
                state[side] = (state[side][0], numbers)
            elif op == "Tf":
                state["size"] = float(operands[1])
            elif op == "Tm":
                tm = pikepdf.Matrix(*map(float, operands))
            elif op == "BT":
                tm = pikepdf.Matrix()
            elif op in ("Tj", "TJ", "'", '"'):
                size = state["size"] * _scale(tm @ state["ctm"])
                if self.usage.text is None or size < self.usage.text[0]:
                    self.usage.text = (size, page)
                self.colour(state, "fill", "text", page)
            elif op in ("S", "s", "B", "B*", "b", "b*"):
                if state["stroke"][0] != "Separation All":  # printers' marks
                    width = state["width"] * _scale(state["ctm"])
                    if self.usage.line is None or width < self.usage.line[0]:
                        self.usage.line = (width, page)
                    self.colour(state, "stroke", "rule", page)
                if op not in ("S", "s"):
                    self.colour(state, "fill", "fill", page)
            elif op in ("f", "F", "f*"):
                self.colour(state, "fill", "fill", page)
            elif op == "sh":
                shading = (resources.get("/Shading") or {}).get(operands[0])
                if shading is not None:
                    self.shading(shading, resources, page)
            elif op == "Do":
                self.draw_object(operands[0], resources, state["ctm"], page, seen)
        for pattern in (resources.get("/Pattern") or {}).values():
            if pattern.objgen in seen:
                continue
            seen.add(pattern.objgen)
            if isinstance(pattern, pikepdf.Stream):
                self.walk(pattern, pattern.get("/Resources"), pikepdf.Matrix(), page, seen)
            elif "/Shading" in pattern:
                self.shading(pattern.Shading, resources, page)

    def shading(self, shading, resources, page: int) -> None:
        space, _ = _space_name(shading.ColorSpace, resources)
        self.usage.spaces.add(space)
        if _is_rgb_space(space):
            self.usage.rgb.append(f"page {page}: a gradient in {space}")

    def draw_object(self, name, resources, ctm, page: int, seen: set) -> None:
        import pikepdf

        xobject = (resources.get("/XObject") or {}).get(name)
        if xobject is None:
            return
        if xobject.get("/Subtype") == "/Form":
            if xobject.objgen in seen:
                return
            seen.add(xobject.objgen)
            matrix = pikepdf.Matrix(*map(float, xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])))
            self.walk(xobject, xobject.get("/Resources"), matrix @ ctm, page, seen)
        elif xobject.get("/Subtype") == "/Image" and not xobject.get("/ImageMask", False):
            space, _ = _space_name(xobject.get("/ColorSpace", "/DeviceGray"), resources)
            self.usage.spaces.add(space)
            if _is_rgb_space(space):
                self.usage.rgb.append(f"page {page}: image {str(name)[1:]} in {space}")
            width_in = math.hypot(ctm.a, ctm.b) / 72
            height_in = math.hypot(ctm.c, ctm.d) / 72
            if width_in and height_in:
                ppi = min(int(xobject.Width) / width_in, int(xobject.Height) / height_in)
                self.usage.images.append((ppi, page, str(name)[1:]))


def _pdfx(pdf) -> Check:
    name = "PDF/X"
    metadata = pdf.Root.get("/Metadata")
    xmp = metadata.read_bytes().decode("utf-8", "replace") if metadata is not None else ""
    if "GTS_PDFXVersion>PDF/X-4<" not in xmp:
        return Check(name, "fail", "no PDF/X-4 identification (XMP GTS_PDFXVersion); the "
                     "print shop's file is made by `transfo-print build --press`")
    if str(pdf.docinfo.get("/Trapped", "")) not in ("/True", "/False"):
        return Check(name, "fail", "no /Trapped True or False in the document information")
    for needed in ("xmpMM:DocumentID", "xmpMM:InstanceID", "xmpMM:VersionID"):
        if f"<{needed}>" not in xmp:
            return Check(name, "fail", f"no {needed} in the XMP metadata")
    rendition = re.search(r"<xmpMM:RenditionClass>([^<]*)<", xmp)
    if rendition and rendition.group(1) != "default":
        return Check(name, "fail", f"XMP RenditionClass {rendition.group(1)!r}: the file says "
                                   "it is a rendition (a proof), not the master ('default')")
    if "GTS_PDFXConformance" in xmp:
        return Check(name, "fail", "GTS_PDFXConformance in the XMP, which PDF/X-4 does not "
                                   "define")
    annotated = [n for n, page in enumerate(pdf.pages, 1) if page.obj.get("/Annots")]
    if annotated:
        return Check(name, "fail", f"annotations (links) on page {annotated[0]} and "
                                   f"{len(annotated) - 1} more: a print-shop file has none")
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if not intents:
        return Check(name, "fail", "no PDF/X output intent")
    intent = intents[0]
    condition = str(intent.get("/OutputConditionIdentifier", ""))
    profile = intent.get("/DestOutputProfile")
    if profile is None:
        return Check(name, "fail", f"output intent {condition!r} has no embedded profile")
    header = profile.read_bytes()[12:20]
    device, space = header[:4].decode("latin-1"), header[4:].decode("latin-1").strip()
    if device != "prtr" or space != "CMYK":
        return Check(name, "fail", f"output intent {condition!r} is a {space} {device!r} "
                                   "profile, not a CMYK printing condition ('prtr')")
    label = str(intent.get("/OutputCondition", "")) or str(intent.get("/Info", ""))
    return Check(name, "pass", f"PDF/X-4, output intent {condition} ({label}), CMYK printer")


def _boxes(pdf) -> Check:
    name = "page boxes"
    for number, page in enumerate(pdf.pages, 1):
        if "/TrimBox" not in page.obj or "/BleedBox" not in page.obj:
            return Check(name, "fail", f"page {number}: no TrimBox or no BleedBox")
        trim = [float(v) for v in page.obj.TrimBox]
        bleed = [float(v) for v in page.obj.BleedBox]
        media = [float(v) for v in page.obj.MediaBox]
        out = BLEED_MM * PT_PER_MM
        expected = [trim[0] - out, trim[1] - out, trim[2] + out, trim[3] + out]
        off = max(abs(a - b) for a, b in zip(bleed, expected, strict=True)) / PT_PER_MM
        if off > BOX_TOLERANCE_MM:
            return Check(name, "fail", f"page {number}: BleedBox is not the TrimBox "
                                       f"± {BLEED_MM} mm (off by {off:.2f} mm)")
        if media[0] > bleed[0] or media[1] > bleed[1] or media[2] < bleed[2] \
                or media[3] < bleed[3]:
            return Check(name, "fail", f"page {number}: the BleedBox runs past the MediaBox")
    return Check(name, "pass", f"{len(pdf.pages)} pages: TrimBox, BleedBox = trim ± {BLEED_MM}"
                               " mm, inside the MediaBox")


def _page_count(pdf) -> Check:
    pages = len(pdf.pages)
    if pages <= 2:
        return Check("page count", "pass", f"{counted(pages, 'page')}: one leaf")
    blanks = blank_pages(pages)[1]
    if blanks:
        return Check("page count", "warn", f"{pages} pages: a folded (stapled or sewn) booklet "
                                           f"needs {counted(blanks, 'more blank page')}, "
                                           "as `build --press` adds")
    return Check("page count", "pass", f"{pages} pages, a multiple of four (a folded booklet)")


def _raster(path: Path, folder: Path) -> list[Path]:
    gs = shutil.which("gs")
    if gs is None:
        raise PreflightError("Ghostscript (gs) is needed to measure the ink: "
                             "apt-get install ghostscript")
    result = subprocess.run(
        [gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiff32nc",
         f"-r{RASTER_DPI}", "-dGraphicsAlphaBits=1", "-dTextAlphaBits=1",
         f"-sOutputFile={folder / 'p%04d.tif'}", str(path)],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise PreflightError(f"{path}: Ghostscript could not render it: "
                             f"{(result.stderr or result.stdout).strip()[:200]}")
    return sorted(folder.glob("p*.tif"))


def _pixels(box, media, scale) -> tuple[int, int, int, int]:
    """A PDF box as a pixel rectangle of the raster of the MediaBox (y downwards)."""
    return (round((box[0] - media[0]) * scale), round((media[3] - box[3]) * scale),
            round((box[2] - media[0]) * scale), round((media[3] - box[1]) * scale))


def _ink(path: Path, pdf) -> tuple[Check, Check]:
    """Total area coverage inside the BleedBox, and what is printed past the trim."""
    from PIL import Image, ImageChops, ImageMath

    scale = RASTER_DPI / 72
    worst = (0.0, 0)
    strays: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for number, (tif, page) in enumerate(zip(_raster(path, Path(folder)), pdf.pages,
                                                 strict=False), 1):
            with Image.open(tif) as image:
                c, m, y, k = image.convert("CMYK").split()
            media = [float(v) for v in page.obj.MediaBox]
            trim = _pixels([float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)],
                           media, scale)
            bleed = _pixels([float(v) for v in page.obj.get("/BleedBox", page.obj.MediaBox)],
                            media, scale)
            total = ImageMath.lambda_eval(
                lambda e: e["c"] + e["m"] + e["y"] + e["k"],
                c=c.convert("I"), m=m.convert("I"), y=y.convert("I"), k=k.convert("I"))
            coverage = total.crop(bleed).getextrema()[1] * 100 / 255
            if coverage > worst[0]:
                worst = (coverage, number)
            ink = ImageChops.lighter(ImageChops.lighter(c, m), ImageChops.lighter(y, k)) \
                .point(lambda v: 255 if v >= INK_THRESHOLD else 0)
            strays += [f"page {number}: {s}" for s in _past_trim(ink, (c, m, y, k),
                                                                   trim, bleed)]
    tac = Check("ink coverage", "fail" if worst[0] > INK_LIMIT else "pass",
                f"maximum {worst[0]:.0f} % (page {worst[1]}), limit {INK_LIMIT} %")
    past = Check("past the trim", "fail" if strays else "pass",
                 "; ".join(strays[:3]) + (f" (and {len(strays) - 3} more)"
                                          if len(strays) > 3 else "")
                 if strays else "only printers' marks outside the bleed, and in the bleed "
                                "only drawing that runs on to its edge")
    return tac, past


def _past_trim(ink, plates, trim, bleed) -> list[str]:
    """Outside the bleed only the registration colour (the same tint on every plate); in
    the bleed only drawing that runs across it to its edge (a pixel of slack at edges)."""
    from PIL import Image, ImageChops

    c, m, y, k = plates
    not_registration = ImageChops.lighter(
        ImageChops.lighter(ImageChops.difference(c, k), ImageChops.difference(m, k)),
        ImageChops.difference(y, k)).point(lambda v: 255 if v >= INK_THRESHOLD else 0)
    outside = not_registration.copy()
    outside.paste(0, (bleed[0] - 1, bleed[1] - 1, bleed[2] + 1, bleed[3] + 1))
    found = []
    if outside.getbbox():
        x, top, _, _ = outside.getbbox()
        found.append(f"ink outside the bleed that is not a printers' mark (from "
                     f"{x / RASTER_DPI * 25.4:.0f} mm right, {top / RASTER_DPI * 25.4:.0f} mm "
                     "down from the sheet's top left corner)")
    # The four strips between trim and bleed, without the pixel on either edge.
    strips = {
        "top": ((trim[0], bleed[1] + 1, trim[2], trim[1] - 1), "columns"),
        "bottom": ((trim[0], trim[3] + 1, trim[2], bleed[3] - 1), "columns"),
        "left": ((bleed[0] + 1, trim[1], trim[0] - 1, trim[3]), "rows"),
        "right": ((trim[2] + 1, trim[1], bleed[2] - 1, trim[3]), "rows"),
    }
    for side, (box, across) in strips.items():
        if box[2] <= box[0] or box[3] <= box[1]:  # no bleed on that side (a screen PDF)
            continue
        strip = ink.crop(box)
        size = (strip.width, 1) if across == "columns" else (1, strip.height)
        means = strip.resize(size, Image.Resampling.BOX).tobytes()  # one byte a pixel
        if any(0 < v < 255 for v in means):
            found.append(f"something in the {side} bleed stops short of the bleed's edge")
    return found


def preflight(path: Path) -> list[Check]:
    """Every check of the file at `path`."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as error:
        raise PreflightError(f"{path}: not a readable PDF ({error})") from None
    with pdf:
        usage = Usage()
        walker = _Walker(usage)
        for number, page in enumerate(pdf.pages, 1):
            try:
                walker.walk(page, page.obj.get("/Resources"), pikepdf.Matrix(), number, set())
            except (pikepdf.PdfError, KeyError, AttributeError, ValueError, TypeError) as error:
                raise PreflightError(f"{path}: page {number} cannot be read: {error}") from None
        checks = [_pdfx(pdf), _boxes(pdf), _page_count(pdf)]
        tac, past = _ink(path, pdf)
        checks += [past, _colour_spaces(usage), _black(usage), tac, _fonts(usage),
                   _images(usage), _smallest(usage.text, "smallest text", "pt",
                                             SMALLEST_TEXT_PT, SMALL_TEXT_PT),
                   _smallest(usage.line, "thinnest line", "pt", THINNEST_LINE_PT,
                             THIN_LINE_PT)]
    return checks


def _colour_spaces(usage: Usage) -> Check:
    used = ", ".join(sorted(usage.spaces)) or "none"
    if usage.rgb:
        return Check("colour spaces", "fail",
                     f"RGB in {len(usage.rgb)} place(s), first {usage.rgb[0]}; used: {used}")
    return Check("colour spaces", "pass", f"no RGB; used: {used}")


def _black(usage: Usage) -> Check:
    if usage.multi_plate_black:
        return Check("black", "fail", f"{len(usage.multi_plate_black)} text or rule(s) in a "
                                      f"black on several plates, first "
                                      f"{usage.multi_plate_black[0]}")
    if usage.rich_black_fills:
        return Check("black", "warn", f"text and rules in K alone; {usage.rich_black_fills} "
                                      "fill(s) in rich black")
    return Check("black", "pass", f"{usage.pure_k} text and rule colours in K alone, "
                                  "no rich black")


def _fonts(usage: Usage) -> Check:
    missing = sorted(name for name, embedded in usage.fonts.items() if not embedded)
    if missing:
        return Check("fonts", "fail", f"not embedded: {', '.join(missing)}")
    return Check("fonts", "pass", f"all {len(usage.fonts)} embedded")


def _images(usage: Usage) -> Check:
    if not usage.images:
        return Check("image resolution", "pass", "no images")
    ppi, page, name = min(usage.images)
    status = "fail" if ppi < IMAGE_PPI_FAIL else "warn" if ppi < IMAGE_PPI_WARN else "pass"
    return Check("image resolution", status,
                 f"lowest {ppi:.0f} ppi at print size (page {page}, {name}); "
                 f"{IMAGE_PPI_WARN} wanted, under {IMAGE_PPI_FAIL} fails")


def _smallest(found, name: str, unit: str, fail: float, warn: float) -> Check:
    if found is None:
        return Check(name, "pass", "none")
    value, page = found
    status = "fail" if value < fail else "warn" if value < warn else "pass"
    return Check(name, status, f"{value:.2f} {unit} (page {page}); under {warn} {unit} warns, "
                               f"under {fail} {unit} fails")


def report(path: Path, checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"preflight {path}"]
    lines += [f"  {c.status:<4}  {c.name:<{width}}  {c.detail}" for c in checks]
    counts = {s: sum(c.status == s for c in checks) for s in ("pass", "warn", "fail")}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines)


def failed(checks: list[Check]) -> bool:
    return any(c.status == "fail" for c in checks)
