"""Training and prediction in each array namespace: NumPy, PyTorch, CuPy.

The same estimator, on the same MNIST data and random_state, fed NumPy
arrays (the NumPy-specialised loop, with its preallocated ``out=`` buffers)
and, with ``sklearn.set_config(array_api_dispatch=True)``, arrays of other
libraries (the generic array-API code of the same functions):

- ``array-api-strict``: the generic code on NumPy's own kernels, which
  shows what the NumPy fast path saves;
- ``torch cpu``, and ``torch cuda`` and ``cupy`` where a GPU is present.

What is absent is skipped, and the table says so. Run from the repository
root (``pip install torch array-api-strict``; on a GPU machine a CUDA build
of torch, or CuPy)::

    SKNUMPYNET_MNIST_DIR=../shared/data/mnist python benchmarks/bench_array_api.py

Fit and ``predict_proba`` times are medians over ``--repeats`` fits, the
namespaces taking turns; the ratio is NumPy's time over each namespace's
(above 1: faster than NumPy). On the GPU, times include one host
synchronisation at the end of every fit and prediction.
"""

import os

# scikit-learn's array API support needs scipy's, read when scipy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

from sknumpynet import NumpyMLPClassifier, load_mnist_idx  # noqa: E402

CONFIGS = {
    "original": dict(hidden_layer_sizes=(10,), batch_size=32, epochs=2),
    "wide": dict(hidden_layer_sizes=(256, 128), batch_size=128, epochs=2),
}


def namespaces():
    """Yield (name, convert) for each namespace present, or (name, reason)."""
    yield "numpy", np.asarray
    try:
        xp = importlib.import_module("array_api_strict")
        yield "array-api-strict", xp.asarray
    except ImportError:
        yield "array-api-strict", "not installed (pip install array-api-strict)"
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        torch = None
        yield "torch cpu", "not installed (pip install torch)"
    if torch is not None:
        yield "torch cpu", lambda a: torch.asarray(a, device="cpu")
        if torch.cuda.is_available():
            yield "torch cuda", lambda a: torch.asarray(a, device="cuda")
        else:
            yield "torch cuda", "no CUDA device"
    try:
        cupy = importlib.import_module("cupy")
        yield "cupy", cupy.asarray
    except ImportError:
        yield "cupy", "not installed"


def synchronize(array):
    """Wait for the device: read one value back to the host."""
    if hasattr(array, "cpu"):
        array.cpu()
    elif hasattr(array, "get"):
        array.get()


def run(model, X, y, X_test):
    """Return the fit time, predict_proba time and accuracy of one fit."""
    dispatch = not isinstance(X, np.ndarray)
    with sklearn.config_context(array_api_dispatch=dispatch):
        start = time.perf_counter()
        model.fit(X, y)
        synchronize(model.coefs_[0])
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        proba = model.predict_proba(X_test)
        synchronize(proba)
        predict_time = time.perf_counter() - start
    if hasattr(proba, "cpu"):
        proba = proba.cpu().numpy()
    return fit_time, predict_time, np.asarray(proba)


def main():
    """Time every configuration in every namespace; print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--config", choices=sorted(CONFIGS), action="append")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    X, X_test, y, y_test = load_mnist_idx(os.environ["SKNUMPYNET_MNIST_DIR"])
    X = (X / 255).astype(np.float32)
    X_test = (X_test / 255).astype(np.float32)
    present = {}
    print("| namespace | status |\n| --- | --- |")
    for name, convert in namespaces():
        if callable(convert):
            present[name] = convert
            print(f"| {name} | timed |")
        else:
            print(f"| {name} | skipped: {convert} |")
    blas = [
        (i["internal_api"], i.get("architecture"), i["num_threads"])
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    env = {
        k: os.environ.get(k, "(unset)")
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    print(f"\nBLAS (threadpoolctl): {blas}; environment: {env}")
    print(
        f"MNIST: {X.shape[0]} training and {X_test.shape[0]} test images, float32; "
        f"medians of {args.repeats} fits\n"
    )
    print(
        "| network | namespace | fit (s) | NumPy / it | predict_proba (ms) "
        "| NumPy / it | max abs diff of proba vs NumPy |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for config in args.config or sorted(CONFIGS):
        params = dict(tol=None, random_state=0, **CONFIGS[config])
        data = {
            name: (convert(X), convert(y), convert(X_test))
            for name, convert in present.items()
        }
        times = {name: ([], []) for name in present}
        probas = {}
        for _ in range(args.repeats):
            for name in present:
                fit_time, predict_time, proba = run(
                    NumpyMLPClassifier(**params), *data[name]
                )
                times[name][0].append(fit_time)
                times[name][1].append(predict_time)
                probas[name] = proba
        base_fit = statistics.median(times["numpy"][0])
        base_predict = statistics.median(times["numpy"][1])
        for name in present:
            fit = statistics.median(times[name][0])
            predict = statistics.median(times[name][1])
            diff = np.abs(probas[name] - probas["numpy"]).max()
            print(
                f"| {config} | {name} | {fit:.3f} | {base_fit / fit:.2f} | "
                f"{predict * 1e3:.1f} | {base_predict / predict:.2f} | {diff:.1e} |"
            )


if __name__ == "__main__":
    main()
