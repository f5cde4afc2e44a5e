"""Pictures for the CNN-vs-attention page: built-in ones, the shipped photos, and checked uploads.

Pure functions (no Streamlit): every picture is an RGB ``uint8`` array ``(H, W, 3)`` whose
longer side is at most the size asked for. Built-in pictures are drawn with NumPy, the same
every time; the photos are small CC0 / public-domain files in ``assets/images/`` (see
``LICENSES.md`` there). An upload is checked step by step and either converted, with notes
saying what was done, or refused, with a message saying why; it never raises.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGES_DIR: Final = Path(__file__).resolve().parents[2] / "assets" / "images"
SIZES: Final = (16, 24, 32, 48, 64)  # longest side used for the computation
MAX_SIDE: Final = 64
MAX_UPLOAD_BYTES: Final = 2 * 1024 * 1024  # 2 MB
MAX_PIXELS: Final = 25_000_000  # larger pictures are refused before they are decoded
MIN_SIDE: Final = 8  # a picture needs some height and width to have a neighbourhood
MAX_ASPECT: Final = 4.0  # longer pictures are cut to their middle part
FORMATS: Final = ("PNG", "JPEG", "MPO")  # MPO: a JPEG from some cameras, read as JPEG
GENERATED: Final = ("shapes", "stripes", "checkerboard", "gradient")
PHOTOS: Final = ("cat", "coffee", "astronaut")
BUILTINS: Final = GENERATED + PHOTOS

# Okabe–Ito colours (colour-blind safe), as RGB in [0, 1]
_VERMILLION: Final = (0.835, 0.369, 0.0)
_BLUE: Final = (0.0, 0.447, 0.698)
_GREEN: Final = (0.0, 0.620, 0.451)
_ORANGE: Final = (0.902, 0.624, 0.0)
_PAPER: Final = (0.96, 0.95, 0.92)


# ---------------------------------------------------------------------------------------------
# Built-in pictures


def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres as fractions of the side: rows ``y`` and columns ``x``, each ``(n, n)``."""
    c = (np.arange(n) + 0.5) / n
    return np.meshgrid(c, c, indexing="ij")


def _paint(canvas: np.ndarray, mask: np.ndarray, colour: tuple[float, float, float]) -> None:
    canvas[mask] = colour


def generated(name: str, size: int) -> np.ndarray:
    """A drawn picture ``(size, size, 3)`` uint8.

    - ``shapes``: two vermillion discs far apart, a blue square, a green triangle on paper;
    - ``stripes``: diagonal blue and orange stripes;
    - ``checkerboard``: 8 × 8 black and white squares;
    - ``gradient``: colour that changes smoothly with position (red → right, green → down).
    """
    if name not in GENERATED:
        raise ValueError(f"unknown picture {name!r}; choose one of {', '.join(GENERATED)}.")
    n = int(size)
    y, x = _grid(n)  # (n, n) each
    img = np.empty((n, n, 3))
    if name == "shapes":
        img[:] = _PAPER
        _paint(img, (y - 0.28) ** 2 + (x - 0.28) ** 2 <= 0.15**2, _VERMILLION)
        _paint(img, (y - 0.72) ** 2 + (x - 0.72) ** 2 <= 0.15**2, _VERMILLION)
        _paint(img, (y >= 0.12) & (y <= 0.42) & (x >= 0.58) & (x <= 0.88), _BLUE)
        tri = (y <= 0.90) & (y >= 0.58) & (np.abs(x - 0.27) <= (y - 0.58) * 0.55)
        _paint(img, tri, _GREEN)
    elif name == "stripes":
        band = np.floor((x + y) * 4).astype(int) % 2  # (n, n) four pairs of stripes
        img[:] = np.where(band[..., None] == 0, _BLUE, _ORANGE)
    elif name == "checkerboard":
        cell = (np.floor(y * 8).astype(int) + np.floor(x * 8).astype(int)) % 2
        img[:] = np.where(cell[..., None] == 0, 0.05, 0.95)
    else:  # gradient
        img[..., 0] = x
        img[..., 1] = y
        img[..., 2] = 0.5 * (1 - x)
    return np.round(img * 255).astype(np.uint8)


@cache
def _photo_source(name: str) -> np.ndarray:
    """The shipped photo at its stored size (read once per process; read-only)."""
    with Image.open(IMAGES_DIR / f"{name}.png") as im:
        a = np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    a.flags.writeable = False
    return a


def photo(name: str, size: int) -> np.ndarray:
    """A shipped photo, downscaled so its longer side is ``size``; ``(h, w, 3)`` uint8."""
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; choose one of {', '.join(PHOTOS)}.")
    return fit(_photo_source(name), size)


def builtin(name: str, size: int) -> np.ndarray:
    """A built-in picture (drawn or photo) at ``size``; ``(h, w, 3)`` uint8."""
    return generated(name, size) if name in GENERATED else photo(name, size)


def fit(rgb: np.ndarray, size: int) -> np.ndarray:
    """Downscale (never enlarge) so the longer side is at most ``size``; keeps the aspect."""
    h, w = rgb.shape[:2]
    scale = min(1.0, size / max(h, w))
    if scale == 1.0:
        return np.array(rgb, dtype=np.uint8)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))  # PIL wants (width, height)
    im = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    return np.asarray(im.resize(new, Image.Resampling.LANCZOS), dtype=np.uint8).copy()


def to_unit(rgb: np.ndarray) -> np.ndarray:
    """Colours in [0, 1] as float64 ``(h, w, 3)``, what the attention maps take."""
    return np.asarray(rgb, dtype=np.float64) / 255.0


def grey(rgb: np.ndarray) -> np.ndarray:
    """Brightness in [0, 1] ``(h, w)`` (ITU-R BT.601 weights), what the convolution takes."""
    return to_unit(rgb) @ np.array([0.299, 0.587, 0.114])


# ---------------------------------------------------------------------------------------------
# Uploads


@dataclass(frozen=True)
class Message:
    """A note or a refusal: ``code`` names a catalog text ``cnn_vs_attention.upload.<code>``."""

    code: str
    values: dict[str, str | int | float] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Upload:
    """What became of an uploaded file: a picture with notes, or an error."""

    image: np.ndarray | None  # (h, w, 3) uint8, longer side ≤ MAX_SIDE
    notes: tuple[Message, ...] = ()
    error: Message | None = None


def _note(code: str, **values: str | int | float) -> Message:
    return Message(code, values)


def _refuse(code: str, **values: str | int | float) -> Upload:
    return Upload(None, (), _note(code, **values))


def load_upload(data: bytes) -> Upload:
    """Check and convert an uploaded PNG or JPEG; never raises.

    Refused: empty, over 2 MB, not a picture (e.g. text named ``.png``), not PNG/JPEG, more than
    25 megapixels (checked before decoding), a side under 8 pixels, a damaged file. Converted,
    with a note: grey, grey + alpha, palette, CMYK, 16-bit, transparent (put on white), more
    than one frame (first kept), longer than 4 : 1 (middle kept), larger than 64 (downscaled).
    """
    if not data:
        return _refuse("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        return _refuse("too_big", mb=round(len(data) / 2**20, 1), cap=MAX_UPLOAD_BYTES // 2**20)
    notes: list[Message] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            fmt = str(im.format)
            if fmt not in FORMATS:
                return _refuse("format", fmt=fmt)
            w_file, h_file = w, h = im.size
            if w * h > MAX_PIXELS:
                return _refuse("too_many_pixels", w=w, h=h, mp=round(w * h / 1e6, 1), cap=25)
            if min(w, h) < MIN_SIDE:
                return _refuse("too_small", w=w, h=h, n=MIN_SIDE)
            if getattr(im, "n_frames", 1) > 1:
                notes.append(Message("first_frame"))
            if fmt in ("JPEG", "MPO"):
                im.draft(im.mode, (2 * MAX_SIDE, 2 * MAX_SIDE))  # decode at 1/2…1/8 scale
            im.load()
            im = ImageOps.exif_transpose(im) or im
            rgb = _to_rgb(im, notes)
    except UnidentifiedImageError:
        return _refuse("not_image")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _refuse("too_many_pixels_unknown", cap=25)
    except Exception:  # a damaged file can fail anywhere inside the decoder
        return _refuse("corrupt")
    h, w = rgb.shape[:2]
    if max(h, w) > MAX_ASPECT * min(h, w):
        rgb = _middle(rgb)
        notes.append(_note("cropped", w=w, h=h, aspect=int(MAX_ASPECT)))
    small = fit(rgb, MAX_SIDE)
    if small.shape[:2] != (h_file, w_file):
        notes.append(_note("downscaled", w=w_file, h=h_file, w2=small.shape[1], h2=small.shape[0]))
    return Upload(small, tuple(notes), None)


def _to_rgb(im: Image.Image, notes: list[Message]) -> np.ndarray:
    """Any Pillow mode → RGB uint8, noting what was changed."""
    mode = im.mode
    if mode == "RGB":
        return np.asarray(im, dtype=np.uint8).copy()
    if mode == "P":
        notes.append(Message("palette"))
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(im, dtype=np.float64)  # (h, w)
        top = 65535.0 if mode.startswith("I") and a.max(initial=0) > 255 else 255.0
        notes.append(Message("deep"))
        g = np.clip(np.round(a / top * 255), 0, 255).astype(np.uint8)
        return np.repeat(g[..., None], 3, axis=2)
    if mode in ("L", "1"):
        notes.append(Message("grey"))
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    if mode in ("LA", "La", "RGBA", "RGBa", "PA"):
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float64)  # (h, w, 4)
        alpha = rgba[..., 3:] / 255.0
        if mode in ("LA", "La"):
            notes.append(Message("grey"))
        if np.any(alpha < 1.0):
            notes.append(Message("alpha"))
        on_white = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
        return np.clip(np.round(on_white), 0, 255).astype(np.uint8)
    if mode == "CMYK":
        notes.append(Message("cmyk"))
    else:
        notes.append(_note("converted", mode=mode))
    return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def _middle(rgb: np.ndarray) -> np.ndarray:
    """The middle part of a long picture, at most ``MAX_ASPECT`` times longer than wide."""
    h, w = rgb.shape[:2]
    if w > h:
        keep = int(MAX_ASPECT * h)
        start = (w - keep) // 2
        return rgb[:, start : start + keep]
    keep = int(MAX_ASPECT * w)
    start = (h - keep) // 2
    return rgb[start : start + keep]
