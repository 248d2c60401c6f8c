"""
Out-of-core training from a file on disk
========================================

Writes MNIST (tiled ``copies`` times) to a ``numpy.memmap`` file, then trains
on it chunk by chunk with ``partial_fit_chunks``; only one chunk is ever in
memory. Prints how much resident memory (RSS) the training added at its peak,
which stays flat as the file grows, and removes the file at the end. The
picture shows the loss of each ``partial_fit`` call. Running it on a
``dask.array`` instead: see ``dask_ml.wrappers.Incremental`` in the README.
"""

import resource
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sknumpynet import NumpyMLPClassifier, partial_fit_chunks
from sknumpynet.example_tools import arguments, load, save


def write_memmap(X, path, copies, scale):
    """Write ``copies`` copies of ``X / scale`` to a float32 memmap file."""
    out = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(X.shape[0] * copies, X.shape[1])
    )
    for i in range(copies):
        out[i * X.shape[0] : (i + 1) * X.shape[0]] = X / scale
    out.flush()
    del out
    return np.load(path, mmap_mode="r")


def _rss_mib(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field)) / 1024


def peak_rss_added(train):
    """Run ``train()``; return its result and the RSS it added at its peak, in MiB.

    On Linux the peak is reset first, so writing the file does not count;
    elsewhere the process's lifetime peak is all there is (None is returned).
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM, the peak RSS, to the current RSS
        before = _rss_mib("VmRSS")
    except OSError:
        return train(), None
    result = train()
    return result, _rss_mib("VmHWM") - before


def main(quick=False, data_dir=None, output_dir=None, copies=None):
    X_train, X_test, y_train, y_test, name = load(
        n_train=6000 if quick else None, data_dir=data_dir
    )
    # Pixels run 0-255 on MNIST and 0-16 on digits: scale by the data's range.
    scale = float(X_train.max())
    copies = copies or (2 if quick else 4)
    folder = Path(output_dir or tempfile.mkdtemp())
    path = folder / "train.npy"
    try:
        X_disk = write_memmap(X_train, path, copies, scale)
        y_disk = np.tile(y_train, copies)
        size = path.stat().st_size / 2**20
        print(f"{name}: {X_disk.shape[0]:,} samples in {path} ({size:.0f} MiB)")
        clf, added = peak_rss_added(
            lambda: partial_fit_chunks(
                NumpyMLPClassifier(random_state=0),
                X_disk,
                y_disk,
                classes=np.arange(10),
                chunk_size=5000,
                epochs=1 if quick else 3,
            )
        )
        X_disk._mmap.close()  # before the file goes
    finally:
        if output_dir is None:
            shutil.rmtree(folder)
        else:
            path.unlink(missing_ok=True)
    accuracy = clf.score(X_test / scale, y_test)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    memory = "" if added is None else f"training added {added:.0f} MiB at its peak; "
    print(
        f"test accuracy {accuracy:.4f} after {clf.n_iter_} partial_fit calls; "
        f"{memory}process peak {peak:.0f} MiB"
    )
    fig, ax = plt.subplots(figsize=(6, 3.5))
    calls = range(1, len(clf.loss_curve_) + 1)
    ax.plot(calls, clf.loss_curve_, marker="o")
    ax.set(
        xlabel="partial_fit call (one chunk of 5,000 rows)",
        ylabel="training loss of the chunk",
        title=f"{size:.0f} MiB of {name} on disk: test accuracy {accuracy:.2%}",
    )
    fig.tight_layout()
    save(fig, output_dir, "out_of_core.png")
    return clf, accuracy, added, size


if __name__ == "__main__":
    main(**arguments(__doc__))
    plt.show()
