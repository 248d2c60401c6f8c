"""Shared by the examples in ``examples/``: their command line, data and pictures.

Every example takes ``--quick`` (a short run on a subset, which the gallery of
the documentation runs), ``--data-dir DIR`` (the folder of the four MNIST IDX
files; by default ``SKNUMPYNET_MNIST_DIR``, else OpenML, else scikit-learn's
digits, which the output then names) and ``--output-dir DIR`` (where pictures
and files are written; by default the picture is only shown).
"""

import argparse
from pathlib import Path

import numpy as np

from sknumpynet.datasets import load_mnist_or_digits


def arguments(doc):
    """Parse the examples' common options; return them as keyword arguments.

    ``doc`` is the example's docstring, whose title describes it in ``--help``
    (the gallery runs examples without their docstring).
    """
    title = (doc or "").strip().splitlines()
    parser = argparse.ArgumentParser(description=title[0] if title else None)
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
        help="where pictures and files are written (default: only show them)",
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


def save(fig, output_dir, filename):
    """Write the picture to ``output_dir`` when given; leave it open to be shown."""
    if output_dir is not None:
        path = Path(output_dir) / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        print(f"picture written to {path}")
    return fig


def gallery_argv(gallery_conf, script_vars):
    """Return the command line the documentation's gallery runs examples with."""
    return ["--quick"]
