"""Photos: read under the confinement rule, decoded whole and checked before anything is
laid out, so that a photo prints as it looks or the build says why not."""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from .inputs import InputRefused, read_input

MAX_BYTES = 30_000_000
MAX_PIXELS = 60_000_000  # a 60-megapixel camera; a "decompression bomb" claims far more
# Colour modes the layout engine embeds as they are; others print wrong (a 16-bit grey
# image prints black).
PRINTABLE_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "CMYK"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TURNED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


class PhotoError(ValueError):
    pass


@dataclass(frozen=True)
class Photo:
    width: int  # as printed, once turned by its EXIF orientation
    height: int


def _open(path: Path, folder: Path):
    from PIL import Image, ImageFile

    try:
        data = read_input(path, folder, MAX_BYTES)
    except InputRefused as error:
        raise PhotoError(str(error)) from None
    if data.startswith(PNG_SIGNATURE) and len(data) > 24 and data[24] > 8:
        raise PhotoError(f"{path.name} has {data[24]} bits per channel, which prints wrong: "
                         "save it with 8 bits per channel")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            photo = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise PhotoError(f"{path.name} claims more pixels than any photo "
                             f"(over {MAX_PIXELS:,})") from None
        except Image.UnidentifiedImageError:  # its message names an object, not the file
            raise PhotoError(f"{path.name} is not an image that can be read (save it as JPEG "
                             "or PNG)") from None
        except Exception as error:  # noqa: BLE001 - Pillow raises many kinds for bad files
            raise PhotoError(f"{path.name} is not a readable image ({error})") from None
    width, height = photo.size
    if width * height > MAX_PIXELS:
        raise PhotoError(f"{path.name} is {width} x {height} pixels, over the "
                         f"{MAX_PIXELS:,} a photo may have")
    if photo.mode not in PRINTABLE_MODES:
        raise PhotoError(f"{path.name} is an image in mode {photo.mode}, which prints wrong: "
                         "save it as 8-bit RGB or grey")
    # The layout engine tells Pillow to pad a truncated file with grey when it is imported;
    # the check decodes without that, so that a cut file is an error, not a grey band.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        photo.load()  # decodes every pixel: a truncated or corrupt file fails here
    except Exception as error:  # noqa: BLE001
        raise PhotoError(f"{path.name} cannot be decoded whole ({error}): "
                         "the file is cut short or damaged") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return photo


def inspect(path: Path, folder: Path) -> Photo:
    """Check a photo of `folder`; its size as printed. Raises PhotoError."""
    photo = _open(path, folder)
    width, height = photo.size
    if photo.getexif().get(0x0112) in TURNED:  # the layout engine turns it as EXIF says
        width, height = height, width
    return Photo(width, height)


def _is_srgb(profile: bytes) -> bool:
    from PIL import ImageCms

    try:
        described = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
    except (OSError, ImageCms.PyCMSError):  # a damaged profile: read as the engine reads it
        return True
    return "srgb" in described.lower()


def as_printed(path: Path, folder: Path, grey: bool = False) -> bytes | None:
    """A JPEG of the photo as the pages show it, or None when the file itself does.

    The layout engine writes every photo as device RGB, and drops any profile it carries:
    a CMYK photo, or an RGB one in another space (Adobe RGB), would print in the wrong
    colours, a CMYK one at whatever ink it holds. Those are converted to sRGB with their
    profile (a CMYK one without any: with the press's, ISO Coated v2), and so in turn to
    the press's CMYK within its ink limit. In grey when the publication asks. Turned as its
    EXIF says (a JPEG copy keeps no orientation)."""
    from PIL import ImageOps

    photo = _open(path, folder)
    profile = photo.info.get("icc_profile")
    foreign = photo.mode == "CMYK" or (photo.mode == "RGB" and profile
                                        and not _is_srgb(profile))
    if not (grey or foreign):
        return None
    photo = ImageOps.exif_transpose(photo)
    if foreign:
        photo = _in_srgb(photo, profile)
    buffer = io.BytesIO()
    photo.convert("L" if grey else "RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _in_srgb(photo, profile: bytes | None):
    """`photo` converted to sRGB with its own profile; one that cannot be read, or is not
    for the photo's colours, is passed over as the engine would: a CMYK photo then goes
    with the press's profile, an RGB one as it is."""
    from PIL import ImageCms

    from .press import output_profile

    sources = [profile] if profile else []
    for source in sources + ([None] if photo.mode == "CMYK" else []):
        try:
            opened = output_profile() if source is None else \
                ImageCms.ImageCmsProfile(io.BytesIO(source))
            return ImageCms.profileToProfile(photo, opened, ImageCms.createProfile("sRGB"),
                                             renderingIntent=ImageCms.Intent.PERCEPTUAL,
                                             outputMode="RGB")
        except (OSError, ImageCms.PyCMSError):
            continue
    return photo


def data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
