"""What the examples in ``examples/`` share: their command line, data and pictures.

Public, so that an example copied out of the gallery runs as it is. Every
example takes ``--quick`` (a short run on a subset, which the gallery of
the documentation runs), ``--data-dir DIR`` (the folder of the four MNIST IDX
files; by default ``SKNUMPYNET_MNIST_DIR``, else OpenML, else scikit-learn's
digits, which the output then names) and ``--output-dir DIR`` (where pictures
and files are written; by default the picture is only shown).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from sknumpynet.datasets import load_mnist_or_digits


def arguments(doc):
    """Parse the examples' common options; return them as keyword arguments.

    Parameters
    ----------
    doc : str or None
        The example's docstring, whose title describes it in ``--help`` (the
        gallery runs examples without their docstring).

    Returns
    -------
    options : dict
        ``quick``, ``data_dir`` and ``output_dir``, for the example's ``main``.
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
    """Return float32 X_train, X_test, y_train, y_test and the data set's name.

    Parameters
    ----------
    n_train, n_test : int, default=None
        Keep the first ``n_train`` training and ``n_test`` test images (all
        when None).
    data_dir : str or path-like, default=None
        The folder of the MNIST IDX files, as for
        :func:`sknumpynet.datasets.load_mnist_or_digits`.

    Returns
    -------
    X_train, X_test : ndarray of dtype float32
    y_train, y_test : ndarray
    name : {'MNIST', 'digits'}
    """
    X_train, X_test, y_train, y_test, name = load_mnist_or_digits(data_dir)
    return (
        X_train[:n_train].astype(np.float32),
        X_test[:n_test].astype(np.float32),
        y_train[:n_train],
        y_test[:n_test],
        name,
    )


def save(fig, output_dir, filename):
    """Write the picture to ``output_dir`` when given; leave it open to be shown.

    Without ``output_dir`` where matplotlib cannot show it (no display, a
    non-interactive backend), say so instead of dropping it silently. The
    documentation's gallery, which collects the figures itself, is not told.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The picture.
    output_dir : str or path-like or None
        The folder to write it to (made if need be).
    filename : str
        The file's name in ``output_dir``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The same figure.
    """
    if output_dir is not None:
        path = Path(output_dir) / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        print(f"picture written to {path}")
    elif "sphinx_gallery" not in sys.modules and not _can_show():
        print(
            f"{filename} is not shown: matplotlib has no display here. Pass "
            "--output-dir DIR to write the picture to a file."
        )
    return fig


def _can_show():
    """Whether ``plt.show()`` opens a window: an interactive backend."""
    import matplotlib

    try:
        from matplotlib.backends import BackendFilter, backend_registry

        interactive = backend_registry.list_builtin(BackendFilter.INTERACTIVE)
    except ImportError:  # matplotlib < 3.9
        from matplotlib.rcsetup import interactive_bk as interactive
    return matplotlib.get_backend().lower() in {b.lower() for b in interactive}


def gallery_argv(gallery_conf, script_vars):
    """Return the command line the documentation's gallery runs examples with.

    Parameters
    ----------
    gallery_conf, script_vars : dict
        What sphinx-gallery passes; unused.

    Returns
    -------
    argv : list of str
        ``['--quick']``.
    """
    return ["--quick"]
