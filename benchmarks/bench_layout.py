"""How to store a weight matrix: row by row, or as its transpose.

Times the three products of each layer of a minibatch step (the forward
product ``A @ W``, the weight gradient ``A.T @ D`` and the backward product
``D @ W.T``; the first layer has no backward product) with ``W`` stored row
by row (``C``) and as its transpose (``T``), for the default 784-10-10
network at batches of 32 and the wide 784-256-128-10 at 128, in float32.
``sknumpynet._math.network.stored_transposed`` is chosen from these numbers.
Run from anywhere::

    python benchmarks/bench_layout.py
    OPENBLAS_CORETYPE=Haswell python benchmarks/bench_layout.py  # another kernel

Prints the BLAS that threadpoolctl reports and, per layer, the microseconds of
each layout (the best of 5 rounds of 2,000 calls).
"""

import timeit

import numpy as np
from threadpoolctl import threadpool_info

NETWORKS = {
    "784-10-10, batch 32": (32, (784, 10, 10)),
    "784-256-128-10, batch 128": (128, (784, 256, 128, 10)),
}


def best_time(f, number=2000):
    f()
    return min(timeit.repeat(f, number=number, repeat=5)) / number * 1e6


def one_layout(A, D, W, G, Z, below, first):
    """Microseconds of a layer's products with W and its gradient G so stored."""
    if G.flags.c_contiguous:
        grad = lambda: np.dot(A.T, D, out=G)  # noqa: E731
    else:
        # np.dot writes only into a C-contiguous out: a column-major G gets
        # the transposed product written into its transpose, as matmul does.
        grad = lambda: np.dot(D.T, A, out=G.T)  # noqa: E731
    total = best_time(lambda: np.dot(A, W, out=Z)) + best_time(grad)
    if not first:
        total += best_time(lambda: np.dot(D, W.T, out=below))
    return total


def layer_times(n, n_in, n_out, first, rng):
    A = rng.random((n, n_in), dtype=np.float32)
    D = rng.random((n, n_out), dtype=np.float32)
    Z, below = np.empty((n, n_out), np.float32), np.empty((n, n_in), np.float32)
    W = rng.random((n_in, n_out), dtype=np.float32)
    return {
        "C": one_layout(A, D, W, np.empty_like(W), Z, below, first),
        "T": one_layout(
            A,
            D,
            np.ascontiguousarray(W.T).T,
            np.empty((n_out, n_in), np.float32).T,
            Z,
            below,
            first,
        ),
    }


def main():
    blas = [
        (i.get("internal_api"), i.get("architecture"), i.get("num_threads"))
        for i in threadpool_info()
    ]
    print(f"BLAS (threadpoolctl): {blas}\n")
    print("| network | layer | C (us) | T (us) | faster |")
    print("| --- | --- | --- | --- | --- |")
    rng = np.random.default_rng(0)
    for name, (n, units) in NETWORKS.items():
        for i, (n_in, n_out) in enumerate(zip(units, units[1:])):
            t = layer_times(n, n_in, n_out, i == 0, rng)
            faster = min(t, key=t.get)
            print(
                f"| {name} | {n_in} x {n_out} | {t['C']:.1f} | {t['T']:.1f} | "
                f"{faster} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
