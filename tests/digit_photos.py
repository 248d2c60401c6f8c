"""MNIST test digits made into what a user would photograph, for the tests.

Enlarged several times, dark ink on white paper (or chalk on a board, or
blue ink), off centre on a larger page, saved as PNG or JPEG.
"""

import numpy as np
from PIL import Image


def photograph(image, rng, path, light_on_dark=False, colour=False):
    """Save a 28x28 MNIST image as a user's photo of a digit on paper."""
    digit = Image.fromarray(
        image.reshape(28, 28) if light_on_dark else 255 - image.reshape(28, 28)
    )
    k = rng.randint(3, 8)
    big = digit.resize((28 * k, 28 * k), Image.Resampling.BILINEAR)
    page = Image.new(
        "L",
        (28 * k + rng.randint(40, 240), 28 * k + rng.randint(40, 240)),
        0 if light_on_dark else 255,
    )
    corner = (
        rng.randint(0, page.size[0] - big.size[0]),
        rng.randint(0, page.size[1] - big.size[1]),
    )
    page.paste(big, corner)
    if colour:  # blue ink on white
        grey = np.asarray(page, dtype=float) / 255
        page = Image.fromarray(
            (np.stack([grey, grey, 0.4 + 0.6 * grey], axis=-1) * 255).astype(np.uint8)
        )
    if path.suffix == ".jpg":
        page.convert("RGB").save(path, quality=85)
    else:
        page.save(path)
    return path
