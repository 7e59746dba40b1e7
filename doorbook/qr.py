"""QR codes as inline SVG (qrcode's SVG path image: no Pillow, no files)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def svg(data: str) -> Markup:
    """An <svg> of ``data`` to inline in a page; CSS sets its printed size."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return Markup(image.to_string(encoding="unicode"))  # noqa: S704 - qrcode's own SVG
