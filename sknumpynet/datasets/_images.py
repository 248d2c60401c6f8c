"""Your own digit images, made into the 28x28 inputs of a model trained on MNIST.

MNIST's digits were made in a particular way: white ink on black, the
digit's bounding box scaled to fit 20x20 pixels (keeping its aspect ratio,
anti-aliased) and placed in a 28x28 frame with its centre of mass at the
centre. A photograph or a scan of a digit written on paper is dark ink on
light paper, of any size and anywhere on the page; :func:`load_digit_images`
makes it the way MNIST's were made, so that a model trained on MNIST sees
what it knows.
"""

import warnings
from pathlib import Path

import numpy as np
from scipy.ndimage import binary_dilation, label

MNIST_SIDE = 28  # the frame
DIGIT_BOX = 20  # the digit's bounding box is scaled to fit this square
# A pixel is a stroke where it is this far from the paper towards the ink:
# enough to ignore a page's grain and JPEG's noise, not a pencil's grey.
INK_THRESHOLD = 0.25
# The strokes' faint edge (MNIST's anti-aliasing) is the ink of at least one
# grey level within this many pixels of a stroke; fainter ink, or ink further
# away (the paper's grain), is paper.
EDGE_PIXELS = 2
# The largest image read, in pixels: a 108-megapixel phone photo (12000 x
# 9000) fits. Decoding one takes about 0.3 GB; larger ones are refused.
MAX_PIXELS = 120_000_000
# Larger images are shrunk (by averaging) to at most this side before their
# ink is found: a digit needs far fewer pixels, and memory stays small.
WORKING_SIDE = 2048
# Ink that is no digit: fewer stroke pixels than this (a dot; MNIST's
# smallest digit has 26), or more separate specks than SPECKS whose largest
# holds under a fifth of the ink (noise; MNIST's digits have at most 6
# pieces, the largest holding at least 31 % of the ink).
MIN_STROKE_PIXELS = 10
SPECKS = 20
# What a folder of images holds: the files with these suffixes.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
# Where MNIST puts a digit's centre of mass: pixel (14, 14), not the frame's
# middle (13.5); measured on its test set, 13.99 and 14.01 on average. Half
# a pixel off costs the default network 4 points of accuracy.
CENTRE = MNIST_SIDE // 2


class NoDigit(ValueError):
    """The image holds no digit: a blank page, a dot, scattered noise."""


class ImageTooLarge(ValueError):
    """The image has more pixels than :data:`MAX_PIXELS`."""


def _pillow():
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError(
            "Reading images needs Pillow, which comes with matplotlib: "
            "pip install 'sknumpynet[plot]' (or pip install pillow)."
        ) from exc
    return Image


def _read_grey(source, Image, path):
    """Return an image as grey levels in [0, 1], shape (rows, cols).

    ``source`` is a file's path or a binary file object, ``path`` how to name
    it. Images over :data:`MAX_PIXELS` are refused; those with a side over
    :data:`WORKING_SIDE` are shrunk by averaging first.
    """
    if isinstance(source, (str, Path)):
        source = Path(source)
        if source.is_dir():
            raise ValueError(f"{path} is a folder, not an image file.")
        if not source.is_file():
            raise FileNotFoundError(f"{path}: no such image file.")
    too_large = ImageTooLarge(
        f"{path} is larger than {MAX_PIXELS // 1_000_000} megapixels, the "
        "largest image this reads: scale it down (a digit needs far fewer "
        "pixels) and try again."
    )
    try:
        with warnings.catch_warnings():
            # Our own limit is checked below, and said in one line.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source)
        with image:
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise too_large
            image.load()
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                # Transparent pixels are paper: lay the image on white.
                image = image.convert("RGBA")
                page = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(page, image)
            image = image.convert("L")
            factor = -(-max(image.size) // WORKING_SIDE)
            if factor > 1:
                image = image.reduce(factor)
            grey = np.asarray(image, dtype=np.float64) / 255.0
    except Image.DecompressionBombError:
        raise too_large from None
    except OSError as exc:  # PIL.UnidentifiedImageError is an OSError
        raise ValueError(f"{path}: not an image that Pillow can read ({exc}).") from exc
    return grey


def ink_on_black(grey, path="the image"):
    """Return the ink's strength in [0, 1] (ink 1, paper 0), from grey levels.

    The paper is the image's most common level, its median; ink is on the
    side of the levels that lies further from it (dark ink on light paper,
    or light chalk on a dark board), and the strongest ink becomes 1.

    Raises
    ------
    NoDigit
        When there is no ink: a blank page.
    """
    paper = float(np.median(grey))
    darkest, lightest = float(grey.min()), float(grey.max())
    if paper - darkest >= lightest - paper:
        ink, strength = paper - grey, paper - darkest  # dark ink on light paper
    else:
        ink, strength = grey - paper, lightest - paper
    if strength < 0.1:
        raise NoDigit(
            f"{path} is blank: its grey levels span {lightest - darkest:.0%} of "
            "the range, too little for ink on paper. Photograph the digit with "
            "more contrast, or crop it."
        )
    return np.clip(ink / strength, 0.0, 1.0)


def check_digit_like(ink, path="the image"):
    """Raise :class:`NoDigit` when the ink is no digit: a dot, or scattered noise.

    Cheap signals that never fire on MNIST's 70,000 digits: too few stroke
    pixels (:data:`MIN_STROKE_PIXELS`), or more than :data:`SPECKS` separate
    specks none of which holds a fifth of the ink.
    """
    strokes = ink >= INK_THRESHOLD
    n_pixels = int(strokes.sum())
    if n_pixels < MIN_STROKE_PIXELS:
        raise NoDigit(
            f"{path} holds too little ink for a digit ({n_pixels} pixels of "
            "strokes): write the digit larger, or crop closer to it."
        )
    labels, n_specks = label(strokes)
    largest = np.bincount(labels.ravel())[1:].max()
    if n_specks > SPECKS and largest < n_pixels / 5:
        raise NoDigit(
            f"{path} holds no digit: its ink is scattered in {n_specks} specks, "
            "none of them a stroke (noise or a texture?). Photograph one digit "
            "on plain paper."
        )


def mnist_frame(ink, Image):
    """Scale the ink's bounding box to fit 20x20 and centre it by mass in 28x28.

    As MNIST was made: the ink's bounding box scaled to fit 20x20 keeping its
    aspect ratio (anti-aliased by Lanczos resampling), and placed with its
    centre of mass on pixel (14, 14) of the 28x28 frame. The ink is the
    strokes (:data:`INK_THRESHOLD`) and their faint edge (any grey level
    within :data:`EDGE_PIXELS` of a stroke); the rest is paper. Made from an
    MNIST test image itself, it gives back that image exactly for 89 % of the
    test set (0.02 grey levels per pixel on average; 0.1 % come back shifted
    by a pixel).

    Parameters
    ----------
    ink : ndarray of shape (rows, cols)
        Ink strength in [0, 1], 0 on the paper.

    Returns
    -------
    frame : ndarray of shape (28, 28)
        Ink strength in [0, 1].
    """
    strokes = ink >= INK_THRESHOLD
    # The faint edge of the strokes stays (it is MNIST's anti-aliasing); the
    # paper's grain away from them goes.
    edge = binary_dilation(strokes, iterations=EDGE_PIXELS) & (ink >= 1 / 255)
    ink = np.where(edge, ink, 0.0)
    rows, cols = np.nonzero(edge)
    box = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = DIGIT_BOX / max(box.shape)
    size = (max(1, round(box.shape[1] * scale)), max(1, round(box.shape[0] * scale)))
    small = Image.fromarray((box * 255).astype(np.uint8)).resize(
        size, Image.Resampling.LANCZOS
    )
    digit = np.asarray(small, dtype=np.float64) / 255.0
    total = digit.sum()
    row_mass = (digit.sum(axis=1) * np.arange(digit.shape[0])).sum() / total
    col_mass = (digit.sum(axis=0) * np.arange(digit.shape[1])).sum() / total
    top = int(round(CENTRE - row_mass))
    left = int(round(CENTRE - col_mass))
    frame = np.zeros((MNIST_SIDE, MNIST_SIDE))
    # Place the digit, clipped at the frame's edges (a very lopsided digit).
    r0, c0 = max(top, 0), max(left, 0)
    r1 = min(top + digit.shape[0], MNIST_SIDE)
    c1 = min(left + digit.shape[1], MNIST_SIDE)
    frame[r0:r1, c0:c1] = digit[r0 - top : r1 - top, c0 - left : c1 - left]
    return frame


def load_digit_images(paths):
    """Read images of handwritten digits as MNIST-style inputs.

    Each image (PNG, JPEG or anything Pillow reads; grey or colour; any size;
    dark ink on light paper or light on dark, decided from the image) is made
    the way MNIST's digits were made: white ink on black, the digit's
    bounding box scaled to fit 20x20 pixels keeping its aspect ratio
    (anti-aliased), placed in a 28x28 frame with its centre of mass at the
    centre. The result is ready for a model trained on MNIST, such as the
    pipeline that ``python -m sknumpynet`` saves.

    Parameters
    ----------
    paths : str, path-like or list of them
        The image files, one digit each.

    Returns
    -------
    X : ndarray of shape (n_images, 784), dtype=float64
        Pixel values from 0 (paper) to 255 (ink), in MNIST's convention, row
        by row.

    Raises
    ------
    FileNotFoundError
        When a file does not exist.
    ValueError
        When no path is given, or a file is not an image Pillow can read, is
        a folder or has more than :data:`MAX_PIXELS` pixels, or holds no
        digit: a blank page, a dot, scattered noise (see
        :func:`check_digit_like`).
    ImportError
        When Pillow is not installed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from PIL import Image
    >>> from sknumpynet.datasets import load_digit_images
    >>> page = np.full((120, 90), 255, dtype=np.uint8)  # white paper
    >>> page[30:90, 40:48] = 0  # a dark, upright stroke: a "1"
    >>> path = Path(tempfile.mkdtemp()) / "one.png"
    >>> Image.fromarray(page).save(path)
    >>> X = load_digit_images([path])
    >>> X.shape
    (1, 784)
    >>> frame = X[0].reshape(28, 28)
    >>> int((frame.max(axis=1) > 0).sum())  # the stroke spans 20 rows
    20
    """
    Image = _pillow()
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    if not paths:
        raise ValueError(
            "load_digit_images got no image paths: pass a path or a list of at "
            "least one."
        )
    return np.stack([read_digit(path, Image=Image).ravel() * 255.0 for path in paths])


def read_digit(source, name=None, Image=None):
    """Read one image of a digit and make it MNIST's way: a 28x28 frame.

    The work of :func:`load_digit_images` for one image, from a file's
    path or a binary file object (a drawing sent to ``python -m sknumpynet
    draw``, say) named ``name`` in the errors.

    Returns
    -------
    frame : ndarray of shape (28, 28)
        Ink strength from 0 (paper) to 1.

    Raises
    ------
    NoDigit
        When the image holds no digit (a subclass of ValueError).
    ImageTooLarge
        When it has more than :data:`MAX_PIXELS` pixels (a ValueError).
    """
    Image = Image or _pillow()
    name = source if name is None else name
    ink = ink_on_black(_read_grey(source, Image, name), name)
    check_digit_like(ink, name)
    return mnist_frame(ink, Image)
