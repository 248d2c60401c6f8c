"""NumpyMLPRegressor against scikit-learn's MLPRegressor: quality and fit time.

Quality: 5-fold cross-validated R² of the same network in both libraries,
(64,) relu, Adam at 1e-3, L2 1e-4, batch 32, 300 epochs, standardised
inputs, on ``load_diabetes`` and ``make_friedman1(2000, noise=0.5)``; then
the candidate defaults of NumpyMLPRegressor, as a user would run them.

Speed: fit time of that network on ``make_friedman1(200_000)``, each fit in a
fresh process, the libraries taking turns, medians and the ratio.

Run from the repository root::

    python benchmarks/bench_regressor.py            # both
    python benchmarks/bench_regressor.py --quality  # or only one part
    python benchmarks/bench_regressor.py --speed
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import NumpyMLPRegressor

SAME_NETWORK = dict(hidden_layer_sizes=(64,), activation="relu", solver="adam")
OURS = dict(alpha=1e-3, l2=1e-4, batch_size=32, epochs=300, tol=None)
THEIRS = dict(
    learning_rate_init=1e-3, alpha=1e-4, batch_size=32, max_iter=300, tol=0.0,
    n_iter_no_change=301,
)  # fmt: skip
CANDIDATE_DEFAULTS = {
    "(100,) relu, adam 3e-3, batch 32, 200 epochs (the default)": {},
    "(100,) relu, adam 1e-3 (MLPRegressor's rate)": dict(alpha=1e-3),
    "(100,) relu, adam 1e-2": dict(alpha=1e-2),
    "(64,) relu, adam 3e-3": dict(hidden_layer_sizes=(64,)),
    "(100,) relu, adam 3e-3, batch 200": dict(batch_size=200),
    "the classifier's defaults: (10,) tanh, sgd 0.1 invscaling ^0.1": dict(
        hidden_layer_sizes=(10,),
        activation="tanh",
        solver="sgd",
        alpha=0.1,
        learning_rate="invscaling",
        power_t=0.1,
        epochs=100,
    ),
}


def datasets():
    return {
        "diabetes": load_diabetes(return_X_y=True),
        "friedman1": make_friedman1(n_samples=2000, noise=0.5, random_state=0),
    }


def cv_r2(model, X, y):
    cv = KFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=cv)
    return scores.mean()


def quality():
    data = datasets()
    print("| network | data | sknumpynet R² | MLPRegressor R² | difference |")
    print("| --- | --- | --- | --- | --- |")
    for name, (X, y) in data.items():
        ours = cv_r2(NumpyMLPRegressor(random_state=0, **SAME_NETWORK, **OURS), X, y)
        theirs = cv_r2(MLPRegressor(random_state=0, **SAME_NETWORK, **THEIRS), X, y)
        print(
            f"| (64,) relu adam, 300 epochs | {name} | {ours:.4f} | {theirs:.4f} "
            f"| {ours - theirs:+.4f} |",
            flush=True,
        )
    print("\n| candidate default | " + " | ".join(f"{n} R²" for n in data) + " |")
    print("| --- |" + " --- |" * len(data))
    for label, params in CANDIDATE_DEFAULTS.items():
        scores = [
            cv_r2(NumpyMLPRegressor(random_state=0, **params), X, y)
            for X, y in data.values()
        ]
        print(f"| {label} | " + " | ".join(f"{s:.4f}" for s in scores) + " |")


def child(library):
    X, y = make_friedman1(n_samples=200_000, noise=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    if library == "sknumpynet":
        model = NumpyMLPRegressor(random_state=0, **SAME_NETWORK, **OURS)
    else:
        model = MLPRegressor(random_state=0, **SAME_NETWORK, **THEIRS)
    model.set_params(**({"epochs": 5} if library == "sknumpynet" else {"max_iter": 5}))
    warnings.simplefilter("ignore", ConvergenceWarning)
    start = time.perf_counter()
    model.fit(X, y)
    print(
        json.dumps({"fit_time": time.perf_counter() - start, "r2": model.score(X, y)})
    )


def speed(repeats):
    runs = {"sknumpynet": [], "sklearn": []}
    for _ in range(repeats):
        for library in runs:
            out = subprocess.run(
                [sys.executable, __file__, "--child", library],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs[library].append(json.loads(out.strip().splitlines()[-1]))
    med = {k: statistics.median(r["fit_time"] for r in v) for k, v in runs.items()}
    r2 = {k: statistics.median(r["r2"] for r in v) for k, v in runs.items()}
    print(
        f"\nmake_friedman1(200_000), (64,) relu adam, batch 32, 5 epochs, medians of "
        f"{repeats}: sknumpynet {med['sknumpynet']:.2f} s (train R² "
        f"{r2['sknumpynet']:.4f}), MLPRegressor {med['sklearn']:.2f} s (train R² "
        f"{r2['sklearn']:.4f}): **{med['sklearn'] / med['sknumpynet']:.2f}x** faster"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["sknumpynet", "sklearn"])
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    both = not (args.quality or args.speed)
    if args.quality or both:
        quality()
    if args.speed or both:
        speed(args.repeats)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
