"""Peak memory of out-of-core training as the file on disk grows.

Writes MNIST tiled 1, 2, 4 and 8 times to a float32 .npy file, then in a fresh
process trains ``NumpyMLPClassifier`` on it with ``partial_fit_chunks`` over a
memmap, and reports the peak RSS during training::

    SKNUMPYNET_MNIST_DIR=../shared/data/mnist python benchmarks/bench_out_of_core.py
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_mlp import _reset_peak_rss, _rss_kib


def child(path, n_copies):
    from sknumpynet import NumpyMLPClassifier, partial_fit_chunks

    X = np.load(path, mmap_mode="r")
    y = np.load(str(path) + ".y.npy")
    rss_before = _rss_kib("VmRSS")
    _reset_peak_rss()
    start = time.perf_counter()
    clf = partial_fit_chunks(
        NumpyMLPClassifier(random_state=0),
        X,
        y,
        classes=np.arange(10),
        chunk_size=10_000,
    )
    print(
        json.dumps(
            dict(
                n_samples=X.shape[0],
                file_mib=Path(path).stat().st_size / 2**20,
                peak_rss_mib=_rss_kib("VmHWM") / 1024,
                rss_before_mib=rss_before / 1024,
                seconds=time.perf_counter() - start,
                loss=clf.loss_,
            )
        )
    )


def main():
    from sknumpynet import load_mnist_idx

    X, _, y, _ = load_mnist_idx(os.environ["SKNUMPYNET_MNIST_DIR"])
    directory = Path(tempfile.mkdtemp())
    rows = [
        "| samples | file (MiB) | RSS before (MiB) | peak RSS while training (MiB) | time (s) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for copies in (1, 2, 4, 8):
        path = directory / f"mnist_x{copies}.npy"
        out = np.lib.format.open_memmap(path, "w+", np.float32, (len(X) * copies, 784))
        for i in range(copies):
            out[i * len(X) : (i + 1) * len(X)] = X / np.float32(255)
        del out
        np.save(str(path) + ".y.npy", np.tile(y, copies))
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(path), str(copies)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(result.stdout.strip().splitlines()[-1])
        rows.append(
            f"| {r['n_samples']:,} | {r['file_mib']:.0f} | {r['rss_before_mib']:.0f} | "
            f"{r['peak_rss_mib']:.0f} | {r['seconds']:.1f} |"
        )
        print(rows[-1], flush=True)
        path.unlink()
    print("\n".join(rows))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
