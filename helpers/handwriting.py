"""Your own handwriting, prepared the way MNIST's digits were (notebook 09 writes these functions out).

MNIST's makers fitted each digit into a 20x20 box keeping its aspect ratio (the
resizing leaves grey levels at the edges), then placed it in a 28x28 image so that
its centre of mass sits in the middle.  ``prepare_digit`` does the same to a
drawing or a photo, so the network sees your digit the way it saw its training digits.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageOps

BOX = 20    # the longer side of a digit in MNIST, in pixels
SIDE = 28   # MNIST's image size
# Where MNIST's digits have their centre of mass: the mean over the 60,000 training
# images is row 14.0, column 14.0 (rows and columns counted from 0).
CENTRE = 14.0
CANVAS = 280  # the drawing pad's size in pixels (ten times MNIST's)
PEN = 24      # the drawing pad's pen width in pixels


def _checked_ink(ink: np.ndarray, name: str) -> np.ndarray:
    ink = np.asarray(ink)
    if ink.ndim != 2:
        hint = " (a colour image? convert it to grey first)" if ink.ndim == 3 else ""
        raise ValueError(f"{name}: expected one grey image of shape (height, width), got shape {ink.shape}{hint}")
    if not np.issubdtype(ink.dtype, np.number) or ink.dtype == np.bool_:
        raise ValueError(f"{name}: expected numbers (grey levels), got {ink.dtype}")
    if not np.isfinite(ink).all():
        raise ValueError(f"{name}: the image holds NaN or infinite values")
    if ink.max() <= 0:
        raise ValueError(f"{name}: the image is blank (no ink above 0): draw or upload a digit first")
    return ink.astype(np.float32)


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    """The smallest rectangle holding every pixel with ink (value above 0); written out in notebook 09."""
    ink = _checked_ink(ink, "crop_to_ink")
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def fit_in_box(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Resize so that the longer side is ``box`` pixels, keeping the aspect ratio (written out in notebook 09)."""
    ink = _checked_ink(ink, "fit_in_box")
    height, width = ink.shape
    scale = box / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # Pillow counts (width, height)
    resized = np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.BILINEAR))
    return np.clip(resized, 0.0, 1.0)


def centre_of_mass(ink: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass: the average pixel position, weighted by the ink.

    Written out in notebook 09.
    """
    ink = _checked_ink(ink, "centre_of_mass")
    rows, cols = np.indices(ink.shape)
    total = ink.sum()
    return float((rows * ink).sum() / total), float((cols * ink).sum() / total)


def centre_by_mass(ink: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Place ``ink`` (at most side x side) in a side x side image with its centre of mass at (14, 14).

    Written out in notebook 09.
    """
    ink = _checked_ink(ink, "centre_by_mass")
    height, width = ink.shape
    if height > side or width > side:
        raise ValueError(f"centre_by_mass: the ink ({height}x{width}) must fit in {side}x{side}: fit_in_box first")
    row, col = centre_of_mass(ink)
    top = min(max(round(CENTRE - row), 0), side - height)   # shifted whole pixels, kept inside the image
    left = min(max(round(CENTRE - col), 0), side - width)
    image = np.zeros((side, side), dtype=np.float32)
    image[top:top + height, left:left + width] = ink
    return image


def prepare_digit(image: np.ndarray) -> np.ndarray:
    """One grey image of a digit, ink bright on dark, any size -> 28x28 float32 in [0, 1], like MNIST's digits.

    Grey levels are scaled so that the strongest ink is 1, the ink is cropped to its bounding box,
    fitted into a 20x20 box keeping the aspect ratio, and centred by centre of mass in 28x28.
    Written out in notebook 09.
    """
    ink = _checked_ink(image, "prepare_digit")
    ink = ink / ink.max()
    return centre_by_mass(fit_in_box(crop_to_ink(ink)))


def draw_strokes(strokes: Sequence[Sequence[Sequence[float]]], size: int = CANVAS, pen: int = PEN) -> np.ndarray:
    """Strokes (lists of [x, y] points, in pixels) drawn with a round pen: a size x size float32 image, ink 1."""
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    for number, stroke in enumerate(strokes):
        points = np.asarray(stroke, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(f"draw_strokes: stroke {number} must be a list of [x, y] points, got shape {points.shape}")
        xy = [tuple(point) for point in points]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=pen)
        radius = pen / 2
        for x, y in xy:  # round ends and joints, like the canvas's lineCap and lineJoin "round"
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(canvas, dtype=np.float32) / 255


def read_grey_image(data: bytes) -> np.ndarray:
    """The bytes of an image file (PNG, JPEG, ...) as a grey uint8 array, turned upright as the camera held it."""
    try:
        picture = Image.open(io.BytesIO(data))
        picture = ImageOps.exif_transpose(picture)
    except Exception as err:  # Pillow raises several kinds of errors for files it cannot read
        raise ValueError(f"read_grey_image: not an image file Pillow can read ({type(err).__name__}): "
                         "upload a PNG or JPEG") from None
    picture.thumbnail((1000, 1000))  # a phone photo has millions of pixels; a digit needs far fewer
    return np.asarray(picture.convert("L"))


def ink_from_photo(grey: np.ndarray, threshold: float = 0.3) -> np.ndarray:
    """A grey photo or scan of dark ink on light paper -> ink bright on dark in [0, 1], paper at 0.

    The paper's grey is the median pixel (most of the picture is paper); ink is how much darker
    than the paper a pixel is, as a share of the darkest pixel; shades below ``threshold``
    (paper texture, shadows) become 0.  Written out in notebook 09.
    """
    grey = np.asarray(grey)
    if grey.ndim != 2:
        raise ValueError(f"ink_from_photo: expected a grey image of shape (height, width), got shape {grey.shape}")
    grey = grey.astype(np.float32)
    paper, darkest = float(np.median(grey)), float(grey.min())
    if paper - darkest < 1e-6:
        raise ValueError("ink_from_photo: no ink darker than the paper: photograph a dark digit on light paper")
    ink = np.clip((paper - grey) / (paper - darkest), 0.0, 1.0)
    ink[ink < threshold] = 0.0
    return ink
