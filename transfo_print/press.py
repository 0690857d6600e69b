"""The print-shop PDF made ready for a CMYK press, from the PDF the layout engine wrote.

The layout is given in RGB (it also makes the screen PDFs), so the colour work is done on
the written file, with pikepdf: every RGB colour operator becomes CMYK (neutral greys and
black become tints of K alone, so line art and text print on one plate and cannot show
colour fringes), photos are converted with the output profile, the output intent becomes
that CMYK printing condition, transparency groups that draw nothing transparent are
dropped, and the crop and registration marks are drawn in the registration colour.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

from .geometry import PT_PER_MM

PROFILE = Path(__file__).parent / "profiles" / "ISOcoated_v2_300_bas.icc"
# The characterization data the profile is made from (ISO 12647-2 coated paper), as the
# ICC registry names it; the profile itself is embedded, as PDF/X-4 asks.
CONDITION_ID = "FOGRA39"
REGISTRY = "http://www.color.org"
INK_LIMIT = 300  # per cent, total area coverage: the "300%" of the profile's name

CROP_MARK = (3.5, 8.5)  # mm outside the trim: a crop mark starts clear of the 3 mm bleed
TARGET_AT = 6.5  # mm outside the trim: centre of the registration targets
TARGET_RADIUS = 1.5  # mm
MARK_WIDTH = 0.25  # pt, the usual hairline of printers' marks
REGISTRATION = "/TransfoRegistration"  # the resource name of the /All separation


@cache
def output_profile():
    from PIL import ImageCms

    return ImageCms.getOpenProfile(str(PROFILE))


def profile_name() -> str:
    return output_profile().profile.profile_description.strip()


@cache
def _transform(intent: int):
    from PIL import ImageCms

    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), output_profile(),
                                   "RGB", "CMYK", renderingIntent=intent)


def rgb_to_cmyk(r: float, g: float, b: float) -> tuple[float, ...]:
    """A neutral (r = g = b) becomes a tint of K alone; other colours go through the
    profile (relative colorimetric: a flat colour should keep its look, not be squeezed)."""
    if r == g == b:
        return (0.0, 0.0, 0.0, round(1 - r, 4))
    from PIL import Image, ImageCms

    pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in (r, g, b)))
    cmyk = _transform(ImageCms.Intent.RELATIVE_COLORIMETRIC).apply(pixel).getpixel((0, 0))
    return tuple(round(v / 255, 4) for v in cmyk)


def _is_rgb(space) -> bool:
    import pikepdf

    if isinstance(space, pikepdf.Name):
        return space in ("/DeviceRGB", "/CalRGB")
    if isinstance(space, pikepdf.Array) and len(space) > 1:
        if space[0] == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        return space[0] == "/CalRGB"
    return False


class _Converter:
    """Rewrites the colours of every content stream of one document, each stream once."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.done: set = set()
        self.forms: list = []
        self.spaces: list = []  # colour space resources, cleared of RGB once all is rewritten

    def drop_rgb_spaces(self) -> None:
        """The streams now say DeviceCMYK where they named an RGB space: remove those."""
        for spaces in self.spaces:
            for name in [n for n, space in spaces.items() if _is_rgb(space)]:
                del spaces[name]

    def resources(self, resources) -> None:
        """Colour spaces, patterns and images of a resource dictionary."""
        import pikepdf

        if resources is None:
            return
        if "/ColorSpace" in resources:
            self.spaces.append(resources.ColorSpace)
        for pattern in (resources.get("/Pattern") or {}).values():
            if isinstance(pattern, pikepdf.Stream) and pattern.objgen not in self.done:
                self.done.add(pattern.objgen)
                self.stream(pattern, pattern.get("/Resources"))
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Image" and xobject.objgen not in self.done:
                self.done.add(xobject.objgen)
                self.image(xobject)

    def image(self, image) -> None:
        """RGB photos into the output profile's CMYK (perceptual: photos keep their
        gradations within the press's gamut and ink limit)."""
        import pikepdf
        from PIL import ImageCms

        if not _is_rgb(image.get("/ColorSpace")):
            return
        picture = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
        cmyk = _transform(ImageCms.Intent.PERCEPTUAL).apply(picture)
        image.write(cmyk.tobytes())  # compressed when the file is saved
        image.ColorSpace = pikepdf.Name.DeviceCMYK
        image.BitsPerComponent = 8
        for key in ("/DecodeParms", "/Decode"):
            if key in image:
                del image[key]

    def stream(self, owner, resources, trim=None, bleed=None, ctm=None) -> bytes:
        """The content of a page, form or pattern with its colour operators rewritten
        (forms and patterns are rewritten in place)."""
        import pikepdf

        self.resources(resources)
        ctm = pikepdf.Matrix() if ctm is None else ctm
        stack = []
        rgb_space = {"fill": False, "stroke": False}
        out = []
        for operands, operator in pikepdf.parse_content_stream(owner):
            op = str(operator)
            if op in ("rg", "RG"):
                operands = list(rgb_to_cmyk(*map(float, operands)))
                operator = pikepdf.Operator("k" if op == "rg" else "K")
            elif op in ("cs", "CS"):
                side = "fill" if op == "cs" else "stroke"
                space = operands[0]
                named = (resources or {}).get("/ColorSpace", {}).get(space) \
                    if space not in ("/DeviceRGB",) else None
                rgb_space[side] = space == "/DeviceRGB" or (named is not None and _is_rgb(named))
                if rgb_space[side]:
                    operands = [pikepdf.Name.DeviceCMYK]
            elif op in ("sc", "scn", "SC", "SCN") and len(operands) == 3:
                if rgb_space["fill" if op.islower() else "stroke"]:
                    operands = list(rgb_to_cmyk(*map(float, operands)))
            elif op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop() if stack else ctm
            elif op == "cm":
                ctm = pikepdf.Matrix(*map(float, operands)) @ ctm
            elif op == "Do" and resources is not None:
                form = resources.get("/XObject", {}).get(operands[0])
                if form is not None and form.get("/Subtype") == "/Form" \
                        and form.objgen not in self.done:
                    self.done.add(form.objgen)
                    self.forms.append(form)
                    matrix = pikepdf.Matrix(*map(float, form.get("/Matrix", [1, 0, 0, 1, 0, 0])))
                    self.stream(form, form.get("/Resources"), trim, bleed, matrix @ ctm)
            elif op in ("W", "W*") and trim is not None and len(out) > 1 \
                    and str(out[-1].operator) == "re" and str(out[-2].operator) not in PATH:
                out[-1] = pikepdf.ContentStreamInstruction(
                    _bleed_out(out[-1].operands, ctm, trim, bleed), out[-1].operator)
            out.append(pikepdf.ContentStreamInstruction(operands, operator))
        data = pikepdf.unparse_content_stream(out)
        if isinstance(owner, pikepdf.Stream):
            owner.write(data)
        return data


PATH = {"m", "l", "c", "v", "y", "h", "re"}  # operators that build a path


def _bleed_out(rectangle, ctm, trim, bleed) -> list[float]:
    """A clip to the trim is widened to the bleed: what is drawn to the trim's edge is meant
    to run on (the frame, clipped to its page-sized drawing, has centring marks that run out
    into the bleed)."""
    x, y, w, h = map(float, rectangle)
    if abs(ctm.b) > 1e-6 or abs(ctm.c) > 1e-6:
        return [x, y, w, h]
    (ax, ay), (bx, by) = ctm.transform((x, y)), ctm.transform((x + w, y + h))
    box = [min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)]
    if not all(abs(box[i] - trim[i]) < 0.5 for i in range(4)):
        return [x, y, w, h]
    inverse = ctm.inverse()
    (ax, ay), (bx, by) = inverse.transform(bleed[:2]), inverse.transform(bleed[2:])
    return [min(ax, bx), min(ay, by), abs(bx - ax), abs(by - ay)]


def _needs_transparency(form) -> bool:
    resources = form.get("/Resources")
    if resources is None:
        return True  # inherits what it draws with: keep the group
    for state in (resources.get("/ExtGState") or {}).values():
        if float(state.get("/ca", 1)) < 1 or float(state.get("/CA", 1)) < 1:
            return True
        if state.get("/SMask", "/None") != "/None":
            return True
        if state.get("/BM", "/Normal") not in ("/Normal", "/Compatible"):
            return True
    return any("/SMask" in x or "/SMaskInData" in x
               for x in (resources.get("/XObject") or {}).values()
               if x.get("/Subtype") == "/Image")


def _mark_stream(trim) -> bytes:
    """Crop marks at the corners and registration targets at the middle of each side,
    outside the bleed, stroked in the registration colour."""
    left, bottom, right, top = trim
    near, far = (d * PT_PER_MM for d in CROP_MARK)
    ops = [f"q {REGISTRATION} CS 1 SCN {MARK_WIDTH} w"]
    for x, y, sx, sy in ((left, bottom, -1, -1), (right, bottom, 1, -1),
                         (left, top, -1, 1), (right, top, 1, 1)):
        ops.append(f"{x + sx * near:.3f} {y:.3f} m {x + sx * far:.3f} {y:.3f} l S")
        ops.append(f"{x:.3f} {y + sy * near:.3f} m {x:.3f} {y + sy * far:.3f} l S")
    at, r = TARGET_AT * PT_PER_MM, TARGET_RADIUS * PT_PER_MM
    cx, cy = (left + right) / 2, (bottom + top) / 2
    k = 0.5523 * r  # the control distance of a quarter circle drawn with a Bézier curve
    for x, y in ((cx, bottom - at), (cx, top + at), (left - at, cy), (right + at, cy)):
        ops.append(f"{x + r:.3f} {y:.3f} m "
                   f"{x + r:.3f} {y + k:.3f} {x + k:.3f} {y + r:.3f} {x:.3f} {y + r:.3f} c "
                   f"{x - k:.3f} {y + r:.3f} {x - r:.3f} {y + k:.3f} {x - r:.3f} {y:.3f} c "
                   f"{x - r:.3f} {y - k:.3f} {x - k:.3f} {y - r:.3f} {x:.3f} {y - r:.3f} c "
                   f"{x + k:.3f} {y - r:.3f} {x + r:.3f} {y - k:.3f} {x + r:.3f} {y:.3f} c S")
        ops.append(f"{x - 1.5 * r:.3f} {y:.3f} m {x + 1.5 * r:.3f} {y:.3f} l S "
                   f"{x:.3f} {y - 1.5 * r:.3f} m {x:.3f} {y + 1.5 * r:.3f} l S")
    ops.append("Q")
    return "\n".join(ops).encode()


def blank_page(pdf, like):
    """A page with nothing on it but the marks, of the size and boxes of the press-ready
    page `like` of `pdf`: what makes a booklet's page count a multiple of four."""
    import pikepdf

    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=like.MediaBox, TrimBox=like.TrimBox,
        BleedBox=like.BleedBox, Contents=pdf.make_stream(_mark_stream(
            [float(v) for v in like.TrimBox])),
        Resources=pikepdf.Dictionary(ColorSpace=pikepdf.Dictionary(
            {REGISTRATION: like.Resources.ColorSpace[REGISTRATION]})))
    return pikepdf.Page(pdf.make_indirect(page))


def _output_intent(pdf):
    import pikepdf

    profile = pdf.make_stream(PROFILE.read_bytes(), N=4)
    name = profile_name()
    return pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(CONDITION_ID),
        OutputCondition=pikepdf.String(name), RegistryName=pikepdf.String(REGISTRY),
        Info=pikepdf.String(name), DestOutputProfile=profile)


_DOCUMENT_ID = re.compile(rb"<xmpMM:DocumentID>xmp\.did:([0-9a-f-]+)</xmpMM:DocumentID>")


def _pdfx_metadata(xmp: bytes) -> bytes:
    """The engine's XMP as PDF/X-4 has it: the file is the master (RenditionClass
    `default`, not the engine's `proof:pdf`), with an InstanceID beside its DocumentID, and
    without GTS_PDFXConformance, which PDF/X-4 does not define."""
    xmp = xmp.replace(b"<xmpMM:RenditionClass>proof:pdf</xmpMM:RenditionClass>",
                      b"<xmpMM:RenditionClass>default</xmpMM:RenditionClass>")
    xmp = re.sub(rb"<pdfx:GTS_PDFXConformance>[^<]*</pdfx:GTS_PDFXConformance>", b"", xmp)
    if b"<xmpMM:InstanceID>" not in xmp:
        xmp = _DOCUMENT_ID.sub(lambda found: found.group(0) + b"<xmpMM:InstanceID>xmp.iid:"
                               + found.group(1) + b"</xmpMM:InstanceID>", xmp, count=1)
    return xmp


def press_ready(data: bytes) -> bytes:
    """The CMYK PDF/X-4 of the print-shop PDF `data` (pages with TrimBox and BleedBox)."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    registration = pdf.make_indirect(pikepdf.Array([
        pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK,
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1],
                           N=1)]))
    converter = _Converter(pdf)
    for page in pdf.pages:
        trim = [float(v) for v in page.obj.TrimBox]
        bleed = [float(v) for v in page.obj.BleedBox]
        drawing = converter.stream(page, page.obj.Resources, trim, bleed)
        # The marks are drawn in the graphics state the page started with.
        page.obj.Contents = pdf.make_stream(b"q\n" + drawing + b"\nQ\n" + _mark_stream(trim))
        if "/ColorSpace" not in page.obj.Resources:
            page.obj.Resources.ColorSpace = pikepdf.Dictionary()
        page.obj.Resources.ColorSpace[REGISTRATION] = registration
    converter.drop_rgb_spaces()
    for form in converter.forms:
        if "/Group" in form and not _needs_transparency(form):
            del form["/Group"]
    pdf.Root.OutputIntents = pikepdf.Array([_output_intent(pdf)])
    for page in pdf.pages:  # links do not print, and a print-shop file carries none
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
    if "/Metadata" in pdf.Root:
        pdf.Root.Metadata = pdf.make_stream(_pdfx_metadata(pdf.Root.Metadata.read_bytes()),
                                            Type=pikepdf.Name.Metadata,
                                            Subtype=pikepdf.Name.XML)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
