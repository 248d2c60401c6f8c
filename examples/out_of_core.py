"""Out-of-core training: partial_fit over a numpy.memmap on disk.

Writes MNIST (tiled ``copies`` times) to a memmap file, then trains on it chunk
by chunk with ``partial_fit_chunks``; only one chunk is ever in memory. Prints
the peak resident memory (RSS) of the training, which stays flat as the file
grows. Running it on a ``dask.array`` instead: see ``Incremental`` at the end.
"""

import resource
import sys
import tempfile
from pathlib import Path

import numpy as np
from _data import load

from sknumpynet import NumpyMLPClassifier, partial_fit_chunks


def write_memmap(X, path, copies):
    """Write ``copies`` copies of X to a float32 memmap file, chunk by chunk."""
    out = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(X.shape[0] * copies, X.shape[1])
    )
    for i in range(copies):
        out[i * X.shape[0] : (i + 1) * X.shape[0]] = X / 255
    out.flush()
    del out
    return np.load(path, mmap_mode="r")


def main(quick=False, copies=None, directory=None):
    X_train, X_test, y_train, y_test, name = load(n_train=6000 if quick else None)
    copies = copies or (2 if quick else 4)
    path = Path(directory or tempfile.mkdtemp()) / "train.npy"
    X_disk = write_memmap(X_train, path, copies)
    y_disk = np.tile(y_train, copies)
    print(
        f"{name}: {X_disk.shape[0]:,} samples in {path} "
        f"({path.stat().st_size / 2**20:.0f} MiB on disk)"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clf = partial_fit_chunks(
        NumpyMLPClassifier(random_state=0),
        X_disk,
        y_disk,
        classes=np.arange(10),
        chunk_size=5000,
        epochs=1 if quick else 3,
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    accuracy = clf.score(X_test / 255, y_test)
    print(
        f"test accuracy {accuracy:.4f} after {clf.n_iter_} partial_fit calls; "
        f"peak RSS {peak:.0f} MiB (before training: {rss_before:.0f} MiB)"
    )
    return clf, peak


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
