"""The first layer of a stack as one product: how much faster, and is it exact?

Every network of a stack sees the same minibatch, so the first layers of k
networks could be one product ``X @ [W_1 ... W_k]`` and their gradients one
``X.T @ [D_1 ... D_k]``, instead of k products. This times both ways and
checks, shape by shape, whether the side-by-side product gives each network
the bits of its own product (what a stack needs to train each candidate
exactly as a single fit does). Run from anywhere::

    python benchmarks/bench_side_by_side.py
    OPENBLAS_CORETYPE=Haswell python benchmarks/bench_side_by_side.py

Prints the BLAS that threadpoolctl reports, the time per network of both
ways for the mission's network (784 x 10, batches of 32, float32), and how
many of 240 shapes (float32 and float64; batches of 1 to 200; 10 to 256
units; 2 to 32 networks) come out different in some bit.
"""

import itertools
import timeit

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits


def products(X, Ws, Ds):
    """Each network's forward product and weight gradient, separately."""
    return [X @ W for W in Ws], [D.T @ X for D in Ds]


def side_by_side(X, W, D):
    """The same for all networks at once, from weights and deltas side by side."""
    return X @ W, D.T @ X


def cut(Z, G, k):
    """Each network's part of the side-by-side products."""
    h = Z.shape[1] // k
    return [Z[:, i * h : (i + 1) * h] for i in range(k)], [
        G[i * h : (i + 1) * h] for i in range(k)
    ]


def draw(rng, dtype, n, h, k):
    """A batch, k networks' first layers and deltas: apart and side by side."""
    X = rng.random((n, 784)).astype(dtype)
    X[:, :100] = 0  # MNIST's border pixels are never inked
    W = rng.standard_normal((784, k * h)).astype(dtype)
    D = rng.standard_normal((n, k * h)).astype(dtype)
    # Apart, each stored transposed (as a narrow layer is) and contiguous.
    Ws = [np.ascontiguousarray(W[:, i * h : (i + 1) * h].T).T for i in range(k)]
    Ds = [np.ascontiguousarray(D[:, i * h : (i + 1) * h]) for i in range(k)]
    return X, Ws, Ds, W, D


def per_network(f, X, W, D, k):
    """Microseconds per network of ``f`` (the best of 5 rounds of 500 calls)."""
    best = min(timeit.repeat(lambda: f(X, W, D), number=500, repeat=5))
    return best / 500 / k * 1e6


def main():
    blas = [(i.get("internal_api"), i.get("architecture")) for i in threadpool_info()]
    print(f"BLAS (threadpoolctl): {blas}, one thread\n")
    rng = np.random.default_rng(0)
    with threadpool_limits(1):
        print("| networks | k products (us per network) | side by side | speed-up |")
        print("| --- | --- | --- | --- |")
        for k in (4, 8, 16):
            X, Ws, Ds, W, D = draw(rng, np.float32, 32, 10, k)
            times = [
                per_network(products, X, Ws, Ds, k),
                per_network(side_by_side, X, W, D, k),
            ]
            print(
                f"| {k} | {times[0]:.1f} | {times[1]:.1f} | "
                f"{times[0] / times[1]:.2f}x |"
            )
        differ = total = 0
        for dtype, n, h, k in itertools.product(
            [np.float32, np.float64],
            [1, 7, 32, 128, 200],
            [10, 32, 100, 256],
            [2, 3, 4, 8, 16, 32],
        ):
            X, Ws, Ds, W, D = draw(rng, dtype, n, h, k)
            (z1, g1), (z2, g2) = products(X, Ws, Ds), cut(*side_by_side(X, W, D), k)
            same = all(np.array_equal(a, b) for a, b in zip(z1 + g1, z2 + g2))
            differ += not same
            total += 1
    print(
        f"\nshapes whose side-by-side products differ in some bit: {differ} of {total}"
    )


if __name__ == "__main__":
    main()
