"""The searches of sknumpynet against scikit-learn's own, on MNIST.

Each search runs in a fresh process (its time, and the peak RSS it adds over
the loaded data), the searches taking turns round after round. ``--kind``:

* ``grid``: the mission's grid, alpha in ``np.geomspace(0.01, 0.3, 8)`` x
  epochs (5, 10, 20, 40), cv=3: MLPGridSearchCV (``ours``) against
  GridSearchCV over the same estimator (``theirs``) and over scikit-learn's
  MLPClassifier on the equivalent grid (``mlpclassifier``: learning_rate_init
  x max_iter; sgd, momentum 0, tanh, alpha=0, tol=0);
* ``halving``: the mission's alphas, ``resource='epochs'``,
  ``min_resources=5``, ``max_resources=40``, ``factor=2``:
  MLPHalvingGridSearchCV against HalvingGridSearchCV;
* ``randomized``: ``n_iter=32``, alpha ``loguniform(0.005, 0.5)``, epochs in
  (5, 10, 20, 40), ``random_state=0``: MLPRandomizedSearchCV against
  RandomizedSearchCV;
* ``hidden``: hidden_layer_sizes (10,), (32,), (16, 8) x alpha (0.03, 0.1) x
  epochs (2, 4): MLPGridSearchCV against GridSearchCV;
* ``wide``: 784-256-128-10 (batch 128), 4 alphas x epochs (2, 5).

The data: the first 20,000 MNIST training rows, float32 in [0, 1];
NumpyMLPClassifier(random_state=0, tol=None). ``--torch-device cuda`` adds
``ours-torch`` (the same search on PyTorch tensors on that device).
``--stack-sizes`` instead measures what a network's epoch costs in stacks of
1 to 32 (the constants of ``sknumpynet/_search/plan.py``), and
``--simulate FILE`` the makespans of a grid search's tasks on 1 to 32
workers from the times measured in FILE (a ``--kind grid`` output). Run from
the repository root::

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

KINDS = ("grid", "halving", "randomized", "hidden", "wide")
MISSION_ALPHAS = [float(a) for a in np.geomspace(0.01, 0.3, 8)]


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


def _search(kind, name, n_jobs):
    """Return the search ``name`` (ours, theirs, mlpclassifier) of ``kind``."""
    from scipy.stats import loguniform
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import (
        GridSearchCV,
        HalvingGridSearchCV,
        RandomizedSearchCV,
    )
    from sklearn.neural_network import MLPClassifier

    import sknumpynet

    ours = name.startswith("ours")
    network = sknumpynet.NumpyMLPClassifier(random_state=0, tol=None)
    common = dict(cv=3, n_jobs=n_jobs)
    if kind == "halving":
        cls = sknumpynet.MLPHalvingGridSearchCV if ours else HalvingGridSearchCV
        network.set_params(epochs=40)
        return cls(
            network,
            {"alpha": MISSION_ALPHAS},
            resource="epochs",
            min_resources=5,
            max_resources=40,
            factor=2,
            **common,
        )
    if kind == "randomized":
        cls = sknumpynet.MLPRandomizedSearchCV if ours else RandomizedSearchCV
        space = {"alpha": loguniform(0.005, 0.5), "epochs": [5, 10, 20, 40]}
        return cls(network, space, n_iter=32, random_state=0, **common)
    cls = sknumpynet.MLPGridSearchCV if ours else GridSearchCV
    if kind == "hidden":
        grid = {
            "hidden_layer_sizes": [(10,), (32,), (16, 8)],
            "alpha": [0.03, 0.1],
            "epochs": [2, 4],
        }
        return cls(network, grid, **common)
    hidden, batch_size = ((256, 128), 128) if kind == "wide" else ((10,), 32)
    alphas = MISSION_ALPHAS[::2] if kind == "wide" else MISSION_ALPHAS
    epochs = [2, 5] if kind == "wide" else [5, 10, 20, 40]
    if name == "mlpclassifier":
        estimator = MLPClassifier(
            hidden,
            activation="tanh",
            solver="sgd",
            momentum=0.0,
            alpha=0.0,
            tol=0.0,
            batch_size=batch_size,
            random_state=0,
        )
        return GridSearchCV(
            estimator, {"learning_rate_init": alphas, "max_iter": epochs}, **common
        )
    network.set_params(hidden_layer_sizes=hidden, batch_size=batch_size)
    return cls(network, {"alpha": alphas, "epochs": epochs}, **common)


def _data(n_train):
    from sknumpynet import load_mnist_idx

    X, _, y, _ = load_mnist_idx(os.environ["SKNUMPYNET_MNIST_DIR"])
    return X[:n_train].astype(np.float32) / 255, y[:n_train]


def child(kind, name, n_jobs, n_train, torch_device):
    """Run one search; print its time, added peak RSS and scores as JSON."""
    if name == "ours-torch":  # scipy reads it when first imported
        os.environ["SCIPY_ARRAY_API"] = "1"
    from contextlib import nullcontext

    X, y = _data(n_train)
    context = nullcontext()
    if name == "ours-torch":
        import sklearn
        import torch

        X = torch.asarray(X, device=torch_device)
        y = torch.asarray(y, device=torch_device)
        context = sklearn.config_context(array_api_dispatch=True)
    search = _search(kind, name, n_jobs)
    _reset_peak_rss()
    before = _peak_rss_kib()
    start = time.perf_counter()
    with warnings.catch_warnings(), context:
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarnings
        search.fit(X, y)
    seconds = time.perf_counter() - start
    results = search.cv_results_
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_added_mib": (_peak_rss_kib() - before) / 1024,
                "mean_test_score": results["mean_test_score"].tolist(),
                "mean_fit_time": results["mean_fit_time"].tolist(),
                "params": [str(p) for p in results["params"]],
                "best_params": {k: str(v) for k, v in search.best_params_.items()},
                "n_resources": [int(r) for r in getattr(search, "n_resources_", [])],
                "n_candidates": [int(c) for c in getattr(search, "n_candidates_", [])],
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


def stack_sizes(n_train, sizes=(1, 2, 4, 8, 16, 32), repeats=3):
    """Seconds per network-epoch of a stack of k, one BLAS thread."""
    from threadpoolctl import threadpool_limits

    from sknumpynet import NumpyMLPClassifier
    from sknumpynet._search.path import fit_path

    X, y = _data(n_train)
    estimator = NumpyMLPClassifier(random_state=0, tol=None)
    per_network = {}
    with threadpool_limits(1, "blas"):
        for k in sizes:
            members = [{"alpha": a} for a in np.geomspace(0.01, 0.3, k)]
            best = np.inf
            for _ in range(repeats):
                start = time.perf_counter()
                fit_path(estimator, members, [2], X, y, {})
                best = min(best, (time.perf_counter() - start) / (2 * k))
            per_network[k] = best
            print(
                f"stack of {k:2d}: {best * 1e3:.1f} ms per network-epoch, "
                f"{best / per_network[1]:.3f} of one alone",
                flush=True,
            )
    return {k: v / per_network[1] for k, v in per_network.items()}


def simulate(measured, workers=(1, 2, 8, 32)):
    """Makespans on ``workers`` from a ``--kind grid`` run's measured times.

    GridSearchCV: its 32 candidates x 3 folds, each fit its measured
    ``mean_fit_time``, handed out in order (joblib). Ours: the stacks that
    plan.py chooses for that many workers, each costing its share of the
    measured time of the one stack of 8 (by plan.py's cost model).
    """
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from sknumpynet._search.plan import makespan, plan_parts, stack_cost

    theirs = measured["theirs"]
    fit_times = np.array(theirs["mean_fit_time"]).repeat(3)
    epochs_of = [int(p.split("'epochs': ")[1].rstrip("}")) for p in theirs["params"]]
    ours = measured["ours"]
    # The measured stack: 8 networks to 40 epochs, 3 folds, on one worker.
    one_stack = ours["median_seconds"] / 3 / stack_cost(8, 40)
    rows = []
    for w in workers:
        loads = np.zeros(w)
        for t in fit_times:  # FIFO: the next fit goes to the first free worker
            loads[np.argmin(loads)] += t
        members = list(range(len(set(MISSION_ALPHAS))))
        folds = plan_parts([(members, max(epochs_of))] * 3, w)
        parts = [part for fold in folds for part in fold]
        costs = [one_stack * stack_cost(len(p), max(epochs_of)) for p in parts]
        rows.append(
            {
                "workers": w,
                "GridSearchCV": loads.max(),
                "ours": makespan(costs, w),
                "stacks per fold": [[len(p) for p in fold] for fold in folds],
            }
        )
        print(
            f"{w:2d} workers: GridSearchCV {loads.max():6.1f}s, ours "
            f"{rows[-1]['ours']:6.1f}s (stacks of each fold: "
            f"{rows[-1]['stacks per fold']})"
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--child", choices=("ours", "theirs", "mlpclassifier", "ours-torch")
    )
    parser.add_argument("--kind", choices=KINDS, default="grid")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--n-train", type=int, default=20_000)
    parser.add_argument("--searches", nargs="+")
    parser.add_argument("--torch-device", help="also run ours-torch on it")
    parser.add_argument("--stack-sizes", action="store_true")
    parser.add_argument("--simulate", metavar="FILE")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        return child(
            args.kind, args.child, args.n_jobs, args.n_train, args.torch_device
        )
    if args.stack_sizes:
        summary = {"blas": blas(), "relative cost": stack_sizes(args.n_train)}
    elif args.simulate:
        with open(args.simulate) as f:
            summary = {"simulated": simulate(json.load(f))}
    else:
        summary = _compare(args)
    print(json.dumps(summary, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=1)


def _compare(args):
    searches = args.searches or (
        ["ours", "theirs", "mlpclassifier"]
        if args.kind in ("grid", "wide") and args.n_jobs == 1
        else ["ours", "theirs"]
    )
    if args.torch_device and "ours-torch" not in searches:
        searches.append("ours-torch")
    runs = {name: [] for name in searches}
    for round_ in range(args.rounds):
        order = searches if round_ % 2 == 0 else searches[::-1]
        for name in order:
            command = [sys.executable, __file__, "--child", name, "--kind", args.kind]
            command += ["--n-jobs", str(args.n_jobs), "--n-train", str(args.n_train)]
            if args.torch_device:
                command += ["--torch-device", args.torch_device]
            output = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[name].append(json.loads(output.stdout.strip().splitlines()[-1]))
            print(
                f"round {round_ + 1}: {name} {runs[name][-1]['seconds']:.1f}s",
                flush=True,
            )
    summary = {
        "kind": args.kind,
        "n_jobs": args.n_jobs,
        "blas": blas(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
    }
    for name, results in runs.items():
        summary[name] = dict(
            results[0],
            median_seconds=statistics.median(r["seconds"] for r in results),
            seconds=[r["seconds"] for r in results],
            peak_rss_added_mib=statistics.median(
                r["peak_rss_added_mib"] for r in results
            ),
        )
    ours = summary["ours"]
    for name in sorted(set(runs) - {"ours"}):
        other = summary[name]
        summary[f"{name}/ours time"] = other["median_seconds"] / ours["median_seconds"]
        summary[f"{name}/ours time per round"] = [
            b / a for a, b in zip(ours["seconds"], other["seconds"])
        ]
        summary[f"ours/{name} peak RSS"] = ours["peak_rss_added_mib"] / max(
            other["peak_rss_added_mib"], 1e-9
        )
        if name != "mlpclassifier":
            diff = np.abs(
                np.array(ours["mean_test_score"]) - np.array(other["mean_test_score"])
            )
            summary[f"max |mean score ours - {name}|"] = float(np.nanmax(diff))
            summary[f"same best as {name}"] = (
                ours["best_params"] == other["best_params"]
            )
    return summary


if __name__ == "__main__":
    main()
