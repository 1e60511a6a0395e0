"""Images the portal makes: a cover's resized variants, and the QR code of a practice's handout.

Pure functions on bytes (no storage, no models): `practices.services.covers` stores what they return.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from PIL import Image, ImageOps

# The widths a cover is drawn at: a phone's card (320), a wide card or a phone's hero at 2x (640), a wide hero
# (1280). None is wider than the uploaded image (no upscaling); a narrower image gets one variant at its width.
COVER_WIDTHS = (320, 640, 1280)
COVER_FORMAT, COVER_MIME, COVER_EXTENSION = "WEBP", "image/webp", "webp"
# A decompression-bomb guard for the variants, the same bound as the upload check (a 40-megapixel photo is a
# large camera's; a small file that decodes to more is refused before its pixels are allocated).
COVER_MAX_PIXELS = 40_000_000


class CoverImageError(ValueError):
    """The stored file cannot be decoded as an image within the pixel limit."""


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    content: bytes


def cover_open(content: bytes) -> Image.Image:
    """Decode an image with Pillow's bomb guard raised to an error at COVER_MAX_PIXELS, upright per its EXIF."""
    previous = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that: both are refusals here.
            Image.MAX_IMAGE_PIXELS = COVER_MAX_PIXELS
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > COVER_MAX_PIXELS:
                raise CoverImageError("too many pixels")
            image.load()
    except (OSError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CoverImageError(str(exc)) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    return ImageOps.exif_transpose(image)


def cover_variants_render(content: bytes) -> tuple[tuple[int, int], list[Variant]]:
    """The image's upright size and its variants, narrowest first, as WebP without any metadata.

    Only pixels are written: Pillow saves no EXIF (camera, GPS), XMP or ICC data unless it is passed in."""
    image = cover_open(content)
    size = image.size
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    widths = [w for w in COVER_WIDTHS if w <= image.width] or [image.width]
    variants = []
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        resized.save(out, format=COVER_FORMAT, quality=80, method=4)
        variants.append(Variant(width=width, height=height, content=out.getvalue()))
    return size, variants


def qr_svg(text: str) -> str:
    """An inline SVG QR code of `text` (a URL), black on white, sized by the print stylesheet."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # The XML declaration is not allowed inside HTML; the drawing itself is made here, not by a user.
    return svg.split("?>", 1)[-1].strip() if svg.startswith("<?xml") else svg
