"""MLPGridSearchCV against GridSearchCV: the mission's alpha x epochs grid on MNIST.

Each search runs in a fresh process (its time, and the peak RSS it adds over
the loaded data), the searches taking turns round after round. Searches:

* ``path``: MLPGridSearchCV over NumpyMLPClassifier(random_state=0, tol=None)
* ``grid``: GridSearchCV over the same estimator and grid
* ``sklearn``: GridSearchCV over scikit-learn's MLPClassifier on the
  equivalent grid (learning_rate_init x max_iter; sgd, momentum 0, tanh,
  alpha=0, tol=0)

The grid: the first 20,000 MNIST training rows, float32 in [0, 1], alpha in
``np.geomspace(0.01, 0.3, 8)`` x epochs (5, 10, 20, 40), cv=3. ``--wide``
runs the 784-256-128-10 network (batch 128) with 4 learning rates x epochs
(2, 5) instead. ``--torch-device cuda`` adds ``path-torch``: the same
MLPGridSearchCV on PyTorch tensors on that device (array API dispatch), so
that a machine with a GPU runs the mission's grid there against NumPy.
Run from the repository root::

    SKNUMPYNET_MNIST_DIR=../shared/data/mnist python benchmarks/bench_search.py

Prints the medians, the ratios, whether the mean test scores agree, and the
BLAS that threadpoolctl reports; ``--out FILE`` also writes them as JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

SEARCHES = ("path", "grid", "sklearn", "path-torch")


def _peak_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("VmHWM")


def _reset_peak_rss():
    # Linux: writing 5 to clear_refs resets VmHWM, the peak RSS, to the current RSS.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _setting(wide):
    if wide:
        alphas = np.geomspace(0.01, 0.3, 4)
        return dict(hidden=(256, 128), batch_size=128, alphas=alphas, epochs=(2, 5))
    alphas = np.geomspace(0.01, 0.3, 8)
    return dict(hidden=(10,), batch_size=32, alphas=alphas, epochs=(5, 10, 20, 40))


def _search(name, setting, n_jobs):
    from sklearn.model_selection import GridSearchCV
    from sklearn.neural_network import MLPClassifier

    from sknumpynet import MLPGridSearchCV, NumpyMLPClassifier

    alphas, epochs = [float(a) for a in setting["alphas"]], list(setting["epochs"])
    if name == "sklearn":
        estimator = MLPClassifier(
            setting["hidden"],
            activation="tanh",
            solver="sgd",
            momentum=0.0,
            alpha=0.0,
            tol=0.0,
            batch_size=setting["batch_size"],
            random_state=0,
        )
        grid = {"learning_rate_init": alphas, "max_iter": epochs}
    else:
        estimator = NumpyMLPClassifier(
            setting["hidden"],
            batch_size=setting["batch_size"],
            random_state=0,
            tol=None,
        )
        grid = {"alpha": alphas, "epochs": epochs}
    cls = MLPGridSearchCV if name.startswith("path") else GridSearchCV
    return cls(estimator, grid, cv=3, n_jobs=n_jobs)


def child(name, wide, n_jobs, n_train, torch_device):
    """Run one search; print its time, added peak RSS and scores as JSON."""
    if name == "path-torch":  # scipy reads it when first imported
        os.environ["SCIPY_ARRAY_API"] = "1"
    from contextlib import nullcontext

    from sknumpynet import load_mnist_idx

    X, _, y, _ = load_mnist_idx(os.environ["SKNUMPYNET_MNIST_DIR"])
    X, y = X[:n_train].astype(np.float32) / 255, y[:n_train]
    context = nullcontext()
    if name == "path-torch":
        import sklearn
        import torch

        X = torch.asarray(X, device=torch_device)
        y = torch.asarray(y, device=torch_device)
        context = sklearn.config_context(array_api_dispatch=True)
    search = _search(name, _setting(wide), n_jobs)
    _reset_peak_rss()
    before = _peak_rss_kib()
    start = time.perf_counter()
    with warnings.catch_warnings(), context:
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarnings
        search.fit(X, y)
    seconds = time.perf_counter() - start
    added = (_peak_rss_kib() - before) / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_added_mib": added,
                "mean_test_score": search.cv_results_["mean_test_score"].tolist(),
                "best_params": {k: float(v) for k, v in search.best_params_.items()},
            }
        )
    )


def blas():
    from threadpoolctl import threadpool_info

    return [
        [i.get("internal_api"), i.get("architecture"), i.get("num_threads")]
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", choices=SEARCHES)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--n-train", type=int, default=20_000)
    parser.add_argument("--wide", action="store_true")
    parser.add_argument("--searches", nargs="+", choices=SEARCHES, default=SEARCHES[:3])
    parser.add_argument("--torch-device", help="also run path-torch on it")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        return child(
            args.child, args.wide, args.n_jobs, args.n_train, args.torch_device
        )

    searches = list(args.searches)
    if args.torch_device and "path-torch" not in searches:
        searches.append("path-torch")
    runs = {name: [] for name in searches}
    for round_ in range(args.rounds):
        order = searches if round_ % 2 == 0 else searches[::-1]
        for name in order:
            command = [sys.executable, __file__, "--child", name]
            command += ["--n-jobs", str(args.n_jobs), "--n-train", str(args.n_train)]
            command += ["--wide"] if args.wide else []
            if args.torch_device:
                command += ["--torch-device", args.torch_device]
            output = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[name].append(json.loads(output.stdout.strip().splitlines()[-1]))
            print(f"round {round_ + 1}: {name} {runs[name][-1]['seconds']:.1f}s")
    summary = {
        "setting": "wide 784-256-128-10" if args.wide else "784-10-10",
        "n_jobs": args.n_jobs,
        "blas": blas(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
    }
    for name, results in runs.items():
        summary[name] = {
            "median_seconds": statistics.median(r["seconds"] for r in results),
            "seconds": [r["seconds"] for r in results],
            "peak_rss_added_mib": statistics.median(
                r["peak_rss_added_mib"] for r in results
            ),
            "mean_test_score": results[0]["mean_test_score"],
            "best_params": results[0]["best_params"],
        }
    if "path" in runs:
        path = summary["path"]
        for name in sorted(set(runs) - {"path"}):
            other = summary[name]
            summary[f"{name}/path time"] = (
                other["median_seconds"] / path["median_seconds"]
            )
            summary[f"path/{name} peak RSS"] = path["peak_rss_added_mib"] / max(
                other["peak_rss_added_mib"], 1e-9
            )
        if "path-torch" in runs:
            diff = np.abs(
                np.array(path["mean_test_score"])
                - np.array(summary["path-torch"]["mean_test_score"])
            )
            summary["max |mean score path - path-torch|"] = float(np.nanmax(diff))
        if "grid" in runs:
            diff = np.abs(
                np.array(path["mean_test_score"])
                - np.array(summary["grid"]["mean_test_score"])
            )
            summary["max |mean score path - grid|"] = float(np.nanmax(diff))
            summary["same best"] = path["best_params"] == summary["grid"]["best_params"]
    print(json.dumps(summary, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
