"""Photos of authorised collectors and not-permitted persons: checked, turned upright,
re-encoded (which drops anything but the picture: location, camera, hidden payloads), stored
in the data folder, and served only to logged-in staff."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 800
FOLDER = "photos"


class PhotoProblem(ValueError):
    """The upload is not a photo Doorbook can keep; the message says why."""


def store(data_dir: str | Path, upload: bytes) -> str:
    """Check and re-encode an uploaded photo; return its stored file name."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not upload:
        raise PhotoProblem("Please choose a photo to upload.")
    if len(upload) > MAX_BYTES:
        raise PhotoProblem("That photo is too large: please use one under 5 MB.")
    Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs
    try:
        with Image.open(io.BytesIO(upload)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP"):
                raise PhotoProblem("Please upload a JPEG, PNG or WebP photo.")
            image.load()
            # A phone stores a portrait photo on its side with an EXIF orientation; turn it
            # upright now, because re-encoding drops the EXIF that said how to show it.
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise PhotoProblem("That file is not a photo Doorbook can read.") from error
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    name = f"{secrets.token_hex(16)}.jpg"
    folder = Path(data_dir) / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    picture.save(folder / name, "JPEG", quality=85)
    return name


def path_of(data_dir: str | Path, name: str) -> Path | None:
    if not name or "/" in name or not name.endswith(".jpg") or len(name) != 36:
        return None
    path = Path(data_dir) / FOLDER / name
    return path if path.is_file() else None
