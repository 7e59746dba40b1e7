"""Photos are stored upright: a phone's portrait photo (stored on its side, with an EXIF
orientation) is turned before the EXIF is dropped."""

import io

from PIL import Image

from doorbook import photos

RED, BLUE = (220, 20, 20), (20, 20, 220)


def sideways_portrait(orientation: int) -> bytes:
    """What a phone writes for a portrait photo: landscape pixels + how to turn them."""
    image = Image.new("RGB", (200, 100), BLUE)
    image.paste(RED, (0, 0, 100, 100))  # the left half of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneCo"  # the camera maker, to be dropped
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def stored(tmp_path, upload: bytes) -> Image.Image:
    name = photos.store(tmp_path, upload)
    return Image.open(photos.path_of(tmp_path, name))


def close(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


def test_a_portrait_photo_with_orientation_6_is_stored_upright(tmp_path):
    picture = stored(tmp_path, sideways_portrait(6))
    assert picture.size == (100, 200)  # portrait
    # Orientation 6: turn 90° clockwise to show, so the stored left half is now the top.
    assert close(picture.getpixel((50, 40)), RED)
    assert close(picture.getpixel((50, 160)), BLUE)
    assert not picture.getexif()  # nothing but the picture is kept


def test_orientation_8_and_3_are_turned_too(tmp_path):
    turned_left = stored(tmp_path, sideways_portrait(8))  # 90° anticlockwise
    assert turned_left.size == (100, 200)
    assert close(turned_left.getpixel((50, 160)), RED)
    upside_down = stored(tmp_path, sideways_portrait(3))
    assert upside_down.size == (200, 100)
    assert close(upside_down.getpixel((150, 50)), RED)


def test_a_photo_without_orientation_is_kept_as_it_is(tmp_path):
    picture = stored(tmp_path, sideways_portrait(1))
    assert picture.size == (200, 100)
    assert close(picture.getpixel((50, 50)), RED)
