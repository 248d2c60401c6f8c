"""How the default objective was chosen: MNIST accuracy and weight-scale robustness.

For each candidate objective (L2 penalty, learning-rate schedule) of the
default 784-10-10 network, this measures

* the MNIST test accuracy after 100 epochs for ``random_state`` 0-5
  (MinMax-scaled float32, ``tol=None``, as ``python -m sknumpynet`` runs);
* on scikit-learn's digits (75/25 stratified split): the test accuracy with
  unit sample weights, with weights that sum to 1 (``1 / n``), and of
  ``AdaBoostClassifier(NumpyMLPClassifier(...))``, which passes weights that
  sum to 1.

Run from the repository root with the MNIST files at hand::

    SKNUMPYNET_MNIST_DIR=../shared/data/mnist python benchmarks/sweep_default_objective.py

Two fits run at a time, each in its own process on one BLAS thread. The table
goes to stdout; ``--json`` also writes every run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

CONSTANT = dict(learning_rate="constant")
CANDIDATES = {
    "constant, l2=0": dict(l2=0.0, **CONSTANT),
    "l2=0.01": dict(l2=0.01, **CONSTANT),
    "l2=1e-3": dict(l2=1e-3, **CONSTANT),
    "l2=1e-4": dict(l2=1e-4, **CONSTANT),
    "l2=1e-4, invscaling 0.3 ^0.2": dict(
        l2=1e-4, alpha=0.3, learning_rate="invscaling", power_t=0.2
    ),
    "l2=1e-3, invscaling 0.3 ^0.2": dict(
        l2=1e-3, alpha=0.3, learning_rate="invscaling", power_t=0.2
    ),
    "l2=1e-4, invscaling 0.1 ^0.1 (the default)": dict(
        l2=1e-4, learning_rate="invscaling", power_t=0.1
    ),
    "l2=1e-4, invscaling 0.1 ^0.15": dict(
        l2=1e-4, learning_rate="invscaling", power_t=0.15
    ),
    "l2=3e-4, invscaling 0.1 ^0.1": dict(
        l2=3e-4, learning_rate="invscaling", power_t=0.1
    ),
    "l2=1e-4, invscaling 0.2 ^0.15": dict(
        l2=1e-4, alpha=0.2, learning_rate="invscaling", power_t=0.15
    ),
}
SEEDS = range(6)


def _mnist_child(params, seed):
    from sklearn.preprocessing import MinMaxScaler
    from threadpoolctl import threadpool_limits

    from sknumpynet import NumpyMLPClassifier, load_mnist_idx

    X_train, X_test, y_train, y_test = load_mnist_idx(
        os.environ["SKNUMPYNET_MNIST_DIR"]
    )
    scaler = MinMaxScaler().fit(X_train.astype(np.float32))
    X_train = scaler.transform(X_train.astype(np.float32))
    X_test = scaler.transform(X_test.astype(np.float32))
    with threadpool_limits(1):
        clf = NumpyMLPClassifier(random_state=seed, tol=None, **params)
        clf.fit(X_train, y_train)
    return {"accuracy": clf.score(X_test, y_test)}


def _digits_child(params):
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.ensemble import AdaBoostClassifier
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import MinMaxScaler
    from threadpoolctl import threadpool_limits

    from sknumpynet import NumpyMLPClassifier

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = MinMaxScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    n = X_train.shape[0]
    result = {}
    with threadpool_limits(1):
        for name, sw in [("unit weights", None), ("weights 1/n", np.full(n, 1 / n))]:
            clf = NumpyMLPClassifier(random_state=0, **params)
            result[name] = clf.fit(X_train, y_train, sample_weight=sw).score(
                X_test, y_test
            )
        try:
            boost = AdaBoostClassifier(
                NumpyMLPClassifier(random_state=0, **params), random_state=0
            ).fit(X_train, y_train)
            result["AdaBoost"] = boost.score(X_test, y_test)
        except ValueError as exc:
            result["AdaBoost"] = f"fails: {exc}"
    return result


def run_child(kind, name, seed=None):
    cmd = [sys.executable, __file__, "--child", kind, "--candidate", name]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["mnist", "digits"])
    parser.add_argument("--candidate", action="append", choices=list(CANDIDATES))
    parser.add_argument("--seed", type=int)
    parser.add_argument("--json", help="also write every run to this file")
    args = parser.parse_args()
    if args.child == "mnist":
        params = CANDIDATES[args.candidate[0]]
        print(json.dumps(_mnist_child(params, args.seed)))
        return
    if args.child == "digits":
        print(json.dumps(_digits_child(CANDIDATES[args.candidate[0]])))
        return

    if "SKNUMPYNET_MNIST_DIR" not in os.environ:
        sys.exit("Set SKNUMPYNET_MNIST_DIR to the folder of the MNIST IDX files.")
    names = args.candidate or list(CANDIDATES)
    jobs = [("digits", name, None) for name in names]
    jobs += [("mnist", name, seed) for name in names for seed in SEEDS]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda job: (job, run_child(*job)), jobs))
    runs = {name: {"mnist": [], "digits": {}} for name in names}
    for (kind, name, seed), result in results:
        print(kind, name, seed, result, flush=True)
        if kind == "mnist":
            runs[name]["mnist"].append(result["accuracy"])
        else:
            runs[name]["digits"] = result

    def pct(value):
        return f"{value:.2%}" if isinstance(value, float) else value

    lines = [
        "| objective | MNIST mean (seeds 0-5) | lowest | highest "
        "| digits | digits, weights 1/n | digits, AdaBoost |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in names:
        acc, digits = runs[name]["mnist"], runs[name]["digits"]
        lines.append(
            f"| {name} | {statistics.mean(acc):.2%} | {min(acc):.2%} | "
            f"{max(acc):.2%} | {pct(digits['unit weights'])} | "
            f"{pct(digits['weights 1/n'])} | {pct(digits['AdaBoost'])} |"
        )
    print("\n" + "\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs, f, indent=1)


if __name__ == "__main__":
    main()
