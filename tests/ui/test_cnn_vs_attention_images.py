"""Pictures for the CNN-vs-attention page: built-in ones, the photos, every kind of bad upload."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from app_pages.cnn_vs_attention import images


def encode(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width × height`` (a decompression-bomb look-alike)."""
    raw = encode(Image.new("L", (1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    patched = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    start = raw.index(b"IHDR") - 4
    return raw[:start] + patched + raw[start + 25 :]


NOISY_PNG = encode(
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (32, 32, 3), dtype=np.uint8))
)


# --- built-in pictures --------------------------------------------------------------------------


@pytest.mark.parametrize("name", images.BUILTINS)
@pytest.mark.parametrize("size", images.SIZES)
def test_builtins_are_rgb_bytes_of_the_asked_size(name, size):
    a = images.builtin(name, size)
    assert a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3
    assert max(a.shape[:2]) == size
    assert a.std() > 5  # not a blank picture


@pytest.mark.parametrize("name", images.GENERATED)
def test_drawn_pictures_are_the_same_every_time(name):
    assert np.array_equal(images.generated(name, 32), images.generated(name, 32))


def test_shapes_has_two_discs_of_the_same_colour_far_apart():
    a = images.generated("shapes", 32)
    assert np.array_equal(a[9, 9], a[23, 23])  # the two vermillion discs
    assert not np.array_equal(a[9, 9], a[0, 0])


def test_photos_are_read_only_sources_and_fresh_copies():
    src = images._photo_source("cat")
    assert not src.flags.writeable
    small = images.photo("cat", 16)
    small[0, 0] = 0  # a fresh array: changing it cannot touch the cached source
    assert images.photo("cat", 16).shape == (16, 16, 3)


def test_unknown_names_are_value_errors():
    with pytest.raises(ValueError):
        images.generated("cat", 16)
    with pytest.raises(ValueError):
        images.photo("shapes", 16)


def test_fit_never_enlarges_and_keeps_the_aspect():
    a = np.zeros((10, 40, 3), dtype=np.uint8)
    assert images.fit(a, 64).shape == (10, 40, 3)
    assert images.fit(a, 20).shape == (5, 20, 3)


def test_grey_and_unit_ranges():
    a = images.builtin("coffee", 24)
    g = images.grey(a)
    assert g.shape == a.shape[:2] and g.min() >= 0 and g.max() <= 1
    u = images.to_unit(a)
    assert u.dtype == np.float64 and u.min() >= 0 and u.max() <= 1


# --- uploads ------------------------------------------------------------------------------------


def codes(up: images.Upload) -> list[str]:
    return [n.code for n in up.notes]


def test_a_plain_rgb_png_is_taken_as_it_is():
    up = images.load_upload(encode(Image.new("RGB", (20, 30), (10, 200, 30))))
    assert up.error is None and codes(up) == []
    assert up.image.shape == (30, 20, 3) and tuple(up.image[0, 0]) == (10, 200, 30)


def test_a_large_picture_is_downscaled_to_64():
    rng = np.random.default_rng(0)
    big = Image.fromarray(rng.integers(0, 255, (300, 200, 3), dtype=np.uint8))
    up = images.load_upload(encode(big, "JPEG", quality=80))
    assert up.error is None and max(up.image.shape[:2]) == 64
    assert "downscaled" in codes(up)


@pytest.mark.parametrize(
    ("mode", "code"),
    [("L", "grey"), ("1", "grey"), ("LA", "alpha"), ("RGBA", "alpha"), ("P", "palette")],
)
def test_other_colour_modes_are_converted_with_a_note(mode, code):
    im = Image.new(mode, (16, 16))
    if mode in ("LA", "RGBA"):
        im.putpixel((0, 0), (0, 0) if mode == "LA" else (0, 0, 0, 0))
    up = images.load_upload(encode(im))
    assert up.error is None and code in codes(up)
    assert up.image.shape == (16, 16, 3) and up.image.dtype == np.uint8


def test_transparent_pixels_are_put_on_white():
    im = Image.new("RGBA", (10, 10), (255, 0, 0, 255))
    im.putpixel((0, 0), (0, 0, 0, 0))
    up = images.load_upload(encode(im))
    assert tuple(up.image[0, 0]) == (255, 255, 255)
    assert tuple(up.image[5, 5]) == (255, 0, 0)


def test_cmyk_jpeg_is_converted():
    up = images.load_upload(encode(Image.new("CMYK", (20, 20), (0, 255, 255, 0)), "JPEG"))
    assert up.error is None and "cmyk" in codes(up)
    r, g, b = (int(v) for v in up.image[10, 10])
    assert r > 200 and g < 60 and b < 60  # cyan 0, magenta + yellow full: red


def test_sixteen_bit_grey_is_reduced_to_eight():
    a = (np.arange(16 * 16).reshape(16, 16) * 256).astype(np.uint16)
    up = images.load_upload(encode(Image.fromarray(a)))
    assert up.error is None and "deep" in codes(up)
    assert up.image[-1, -1, 0] > up.image[0, 0, 0]


def test_a_very_long_picture_keeps_its_middle():
    up = images.load_upload(encode(Image.new("RGB", (400, 20))))
    assert up.error is None and "cropped" in codes(up)
    h, w = up.image.shape[:2]
    assert w / h <= images.MAX_ASPECT


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"this is a text file named picture.png\n" * 3, "not_image"),
        (NOISY_PNG[: len(NOISY_PNG) // 2], "corrupt"),
        (encode(Image.new("RGB", (16, 16)), "GIF"), "format"),
        (encode(Image.new("RGB", (16, 16)), "BMP"), "format"),
        (encode(Image.new("RGB", (1, 1000))), "too_small"),
        (encode(Image.new("RGB", (1000, 4))), "too_small"),
        (png_claiming(10_000, 5_000), "too_many_pixels"),
        (png_claiming(40_000, 40_000), "too_many_pixels_unknown"),  # Pillow's own bomb check
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not_image"),
        (b"x" * (images.MAX_UPLOAD_BYTES + 1), "too_big"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(data, code):
    up = images.load_upload(data)
    assert up.image is None
    assert up.error is not None and up.error.code == code


def test_refusal_messages_carry_their_numbers():
    up = images.load_upload(png_claiming(10_000, 5_000))
    assert up.error.values == {"w": 10_000, "h": 5_000, "mp": 50.0, "cap": 25}


def test_truncated_jpeg_is_refused_not_raised():
    rng = np.random.default_rng(1)
    data = encode(Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)), "JPEG")
    up = images.load_upload(data[: len(data) // 2])
    assert up.image is None and up.error.code == "corrupt"


def test_animated_png_keeps_the_first_frame():
    frames = [Image.new("RGB", (12, 12), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, format="PNG", save_all=True, append_images=frames[1:])
    up = images.load_upload(buf.getvalue())
    assert up.error is None and "first_frame" in codes(up)
    assert tuple(up.image[0, 0]) == (255, 0, 0)
