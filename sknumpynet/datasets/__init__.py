"""Data sets: MNIST (from OpenML or the original IDX files) and your own digits.

:func:`fetch_mnist` and :func:`load_mnist_idx` load MNIST (``_mnist.py``);
:func:`load_digit_images` makes photographs and scans of handwritten digits
into MNIST-style 28x28 inputs (``_images.py``).
"""

from ._images import load_digit_images
from ._mnist import (
    IDX_FILES,
    MNISTUnavailableError,
    fetch_mnist,
    load_mnist_idx,
    load_mnist_or_digits,
    mnist_dir_from_env,
    read_idx,
)

__all__ = [
    "IDX_FILES",
    "MNISTUnavailableError",
    "fetch_mnist",
    "load_digit_images",
    "load_mnist_idx",
    "load_mnist_or_digits",
    "mnist_dir_from_env",
    "read_idx",
]
