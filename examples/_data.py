"""Shared by the examples: their command line and their data.

Every example takes ``--quick`` (a short run on a subset), ``--data-dir DIR``
(the folder of the four MNIST IDX files; by default ``SKNUMPYNET_MNIST_DIR``,
else OpenML, else scikit-learn's digits, which the output then names) and
``--output-dir DIR`` (where pictures and files go; by default the current
folder).
"""

import argparse
from pathlib import Path

import numpy as np

from sknumpynet.datasets import load_mnist_or_digits


def arguments(description):
    """Parse the examples' common options; return them as keyword arguments."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a short run on a subset")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="folder of the MNIST IDX files (default: $SKNUMPYNET_MNIST_DIR, "
        "else OpenML, else scikit-learn's digits)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path("."),
        help="where pictures and files go (default: the current folder)",
    )
    return vars(parser.parse_args())


def load(n_train=None, n_test=None, data_dir=None):
    """Return float32 X_train, X_test, y_train, y_test and the data set's name."""
    X_train, X_test, y_train, y_test, name = load_mnist_or_digits(data_dir)
    return (
        X_train[:n_train].astype(np.float32),
        X_test[:n_test].astype(np.float32),
        y_train[:n_train],
        y_test[:n_test],
        name,
    )
