"""MNIST: from OpenML through scikit-learn, or from the original IDX files."""

import gzip
import os
import warnings
from pathlib import Path
from urllib.error import URLError

import numpy as np

N_TRAIN = 60_000
N_TEST = 10_000
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_IDX_MAGIC = {1: 2049, 3: 2051}  # labels, images: unsigned bytes, 1 or 3 dims


class MNISTUnavailableError(OSError):
    """MNIST could be neither downloaded nor found on disk."""


def _arff_parser():
    """Pick the pandas parser (faster) when pandas is there, else liac-arff."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        return "liac-arff"
    return "pandas"


def fetch_mnist(data_home=None, *, n_retries=3):
    """Load MNIST from OpenML (``mnist_784``, version 1), cached in ``data_home``.

    When the environment variable ``SKNUMPYNET_MNIST_DIR`` names a folder, the
    four original IDX files are read from there instead (as
    :func:`load_mnist_idx` reads them) and nothing is downloaded, as in the
    command line.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Where to cache the download; scikit-learn's default
        (``~/scikit_learn_data``) when None.

    n_retries : int, default=3
        How many times to retry a failed download.

    Returns
    -------
    X_train : ndarray of shape (60000, 784), dtype=uint8
    X_test : ndarray of shape (10000, 784), dtype=uint8
    y_train : ndarray of shape (60000,), dtype=int64
    y_test : ndarray of shape (10000,), dtype=int64
        The standard split: the first 60,000 images train, the last 10,000 test.

    Raises
    ------
    MNISTUnavailableError
        When OpenML cannot be reached and the data is not cached, or when
        ``SKNUMPYNET_MNIST_DIR`` names a folder that does not hold the files.
    """
    data_dir = mnist_dir_from_env()
    if data_dir is not None:
        try:
            return load_mnist_idx(data_dir)
        except (OSError, ValueError) as exc:
            raise MNISTUnavailableError(
                f"SKNUMPYNET_MNIST_DIR={data_dir}: {exc}"
            ) from exc
    from sklearn.datasets import fetch_openml

    try:
        with warnings.catch_warnings():
            # fetch_openml warns at every retry; the error below says it all.
            warnings.filterwarnings("ignore", message="A network error occurred")
            bunch = fetch_openml(
                "mnist_784",
                version=1,
                data_home=data_home,
                as_frame=False,
                parser=_arff_parser(),
                n_retries=n_retries,
            )
    except (URLError, OSError) as exc:
        raise MNISTUnavailableError(
            f"Could not load MNIST from OpenML ({exc}). To use local copies of "
            "the four original IDX files instead, pass their folder to "
            "sknumpynet.load_mnist_idx(directory), to `python -m sknumpynet "
            "--data-dir DIRECTORY`, or set SKNUMPYNET_MNIST_DIR=DIRECTORY."
        ) from exc
    X = np.asarray(bunch.data).astype(np.uint8)
    y = np.asarray(bunch.target).astype(np.int64)
    if X.shape != (N_TRAIN + N_TEST, 784):
        raise MNISTUnavailableError(
            f"OpenML's mnist_784 has shape {X.shape}, not (70000, 784); clear the "
            f"cache in {data_home or '~/scikit_learn_data'} and try again."
        )
    return X[:N_TRAIN], X[N_TRAIN:], y[:N_TRAIN], y[N_TRAIN:]


def _find_idx_file(directory, stem):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
        for candidate in (name, name + ".gz"):
            path = directory / candidate
            # Not a folder: a file, or a pipe that streams one.
            if path.exists() and not path.is_dir():
                return path
    raise FileNotFoundError(
        f"No {stem} or {stem}.gz in {directory}. The folder must hold the four "
        f"MNIST IDX files: {', '.join(IDX_FILES.values())} (gzipped or not)."
    )


def read_idx(path):
    """Read one IDX file of unsigned bytes (gzipped or not) into an array.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    array : ndarray of dtype uint8
        Shaped as the header says: (n,) for labels, (n, rows, cols) for images.
        It is writable and owns its data.

    Raises
    ------
    ValueError
        When the magic number, the header or the length of the data is wrong.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path} is not a readable IDX file: {exc}") from exc
    if len(raw) < 8:
        raise ValueError(f"{path} is too short to be an IDX file ({len(raw)} bytes).")
    magic = int.from_bytes(raw[:4], "big")
    n_dims = raw[3]
    if n_dims not in _IDX_MAGIC or magic != _IDX_MAGIC[n_dims]:
        raise ValueError(
            f"{path} has magic number {magic:#010x}; an MNIST IDX file has "
            "0x00000801 (labels) or 0x00000803 (images). Is it the right file?"
        )
    header = 4 + 4 * n_dims
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims)
    )
    if 0 in shape:
        raise ValueError(
            f"{path} announces shape {shape} in its header: it holds no data. "
            "Is it the right file? Download it again."
        )
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(
            f"{path} is truncated or corrupt: its header announces shape {shape}, "
            f"{expected} bytes in all, but it has {len(raw)}. Download it again."
        )
    # A bytearray, so that the array is writable (``X /= 255`` works).
    return np.frombuffer(bytearray(raw), dtype=np.uint8, offset=header).reshape(shape)


def load_mnist_idx(directory):
    """Load MNIST from the four original IDX files in ``directory``.

    Parameters
    ----------
    directory : str or path-like
        Folder holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each
        gzipped (``.gz``) or not.

    Returns
    -------
    X_train : ndarray of shape (60000, 784), dtype=uint8
    X_test : ndarray of shape (10000, 784), dtype=uint8
    y_train : ndarray of shape (60000,), dtype=int64
    y_test : ndarray of shape (10000,), dtype=int64
        Writable arrays of their own.

    Raises
    ------
    FileNotFoundError
        When the folder does not exist or lacks one of the files.
    NotADirectoryError
        When ``directory`` is a file.
    ValueError
        When a file is not an MNIST IDX file: wrong magic number, empty or
        truncated, images other than 28x28, or images and labels that do not
        match.
    """
    directory = Path(directory)
    if not directory.exists():
        raise FileNotFoundError(f"MNIST folder {directory} does not exist.")
    if not directory.is_dir():
        raise NotADirectoryError(
            f"{directory} is a file, not a folder: give the folder that holds "
            f"the four MNIST IDX files ({', '.join(IDX_FILES.values())})."
        )
    arrays = {
        key: read_idx(_find_idx_file(directory, stem))
        for key, stem in IDX_FILES.items()
    }
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or labels.ndim != 1:
            raise ValueError(
                f"The {part} files are swapped: images must have 3 dimensions "
                f"and labels 1, got {images.ndim} and {labels.ndim}."
            )
        if images.shape[1:] != (28, 28):
            raise ValueError(
                f"The {part} images are {images.shape[1]}x{images.shape[2]} "
                "pixels; MNIST's are 28x28. Is the folder holding another data "
                "set's IDX files?"
            )
        if images.shape[0] != labels.shape[0]:
            raise ValueError(
                f"The {part} set has {images.shape[0]} images but "
                f"{labels.shape[0]} labels."
            )
    return (
        arrays["train_images"].reshape(arrays["train_images"].shape[0], -1),
        arrays["test_images"].reshape(arrays["test_images"].shape[0], -1),
        arrays["train_labels"].astype(np.int64),
        arrays["test_labels"].astype(np.int64),
    )


def mnist_dir_from_env():
    """Return the folder named by ``SKNUMPYNET_MNIST_DIR``, or None."""
    value = os.environ.get("SKNUMPYNET_MNIST_DIR")
    return Path(value) if value else None


def load_mnist_or_digits(data_dir=None, data_home=None, log=print):
    """Load MNIST, or scikit-learn's bundled digits when MNIST cannot be reached.

    MNIST comes from the IDX files in ``data_dir`` (default:
    ``SKNUMPYNET_MNIST_DIR``), else from OpenML through :func:`fetch_mnist`.
    When neither works, one line says so and the 8x8 digits stand in, split
    75/25 (stratified, ``random_state=0``).

    Parameters
    ----------
    data_dir : str or path-like, default=None
        Folder of the four MNIST IDX files.
    data_home : str or path-like, default=None
        The OpenML download cache.
    log : callable, default=print
        Where the line saying which data set is loaded goes.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
    name : {'MNIST', 'digits'}
        Which data set was loaded.
    """
    data_dir = data_dir or mnist_dir_from_env()
    if data_dir is not None:
        log(f"Loading MNIST from the IDX files in {data_dir}")
        return (*load_mnist_idx(data_dir), "MNIST")
    try:
        log("Loading MNIST from OpenML (cached after the first download)...")
        return (*fetch_mnist(data_home), "MNIST")
    except MNISTUnavailableError as exc:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        reason = exc.__cause__ or exc
        log(
            f"MNIST cannot be reached ({reason}): falling back to scikit-learn's "
            "bundled digits (1,797 images of 8x8 pixels, 25% held out for "
            "testing). For MNIST from local IDX files, pass --data-dir DIR or "
            "set SKNUMPYNET_MNIST_DIR=DIR."
        )
        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y
        )
        return X_train, X_test, y_train, y_test, "digits"
