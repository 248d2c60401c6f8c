"""sknumpynet against an earlier version of itself: the training loop, side by side.

Checks out ``--base`` (a git revision) into a temporary folder and times fits
of that version and of this working tree on MNIST, each fit in a fresh
process with the source tree first on ``PYTHONPATH``, the two versions taking
turns. Every configuration spells out its objective (``l2``,
``learning_rate``), so that a change of defaults does not count as a change
of speed. Run from the repository root::

    SKNUMPYNET_MNIST_DIR=../shared/data/mnist python benchmarks/bench_versions.py --base HEAD~3

Prints medians, the ratio base/new (above 1: the new version is faster) and
the BLAS that threadpoolctl reports, with ``OPENBLAS_CORETYPE`` and
``OPENBLAS_L2_SIZE`` as set and, with ``--unset-openblas-env``, also unset.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {
    "original sgd": dict(hidden_layer_sizes=(10,), batch_size=32, epochs=5),
    "original momentum": dict(
        hidden_layer_sizes=(10,), batch_size=32, epochs=5, momentum=0.9, alpha=0.01
    ),
    "original adam": dict(
        hidden_layer_sizes=(10,), batch_size=32, epochs=5, solver="adam", alpha=1e-3
    ),
    "wide sgd": dict(hidden_layer_sizes=(256, 128), batch_size=128, epochs=3),
}
OPENBLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def child(config):
    """Fit one model on MNIST; print a JSON line with the fit time."""
    import warnings

    from sknumpynet import NumpyMLPClassifier, load_mnist_idx

    warnings.simplefilter("ignore")
    X, _, y, _ = load_mnist_idx(os.environ["SKNUMPYNET_MNIST_DIR"])
    X = X.astype(np.float32) / 255
    params = dict(
        activation="tanh", alpha=0.1, l2=0.0, learning_rate="constant", tol=None
    )
    params.update(CONFIGS[config])
    clf = NumpyMLPClassifier(random_state=0, **params)
    start = time.perf_counter()
    clf.fit(X, y)
    fit_time = time.perf_counter() - start
    print(json.dumps({"fit_time": fit_time, "loss": float(clf.loss_)}))


def blas_kernel(env):
    code = (
        "import json, numpy, threadpoolctl; "
        "print(json.dumps([(i.get('internal_api'), i.get('architecture'), "
        "i.get('num_threads')) for i in threadpoolctl.threadpool_info()]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    return out.stdout.strip() or out.stderr.strip()


def run(tree, config, env):
    env = dict(env, PYTHONPATH=str(tree))
    cmd = [sys.executable, __file__, "--child", config]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=list(CONFIGS))
    parser.add_argument("--base", default="HEAD", help="git revision to compare with")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--config", action="append", choices=list(CONFIGS))
    parser.add_argument(
        "--unset-openblas-env",
        action="store_true",
        help="also run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if "SKNUMPYNET_MNIST_DIR" not in os.environ:
        sys.exit("Set SKNUMPYNET_MNIST_DIR to the folder of the MNIST IDX files.")

    environments = {"as set": dict(os.environ)}
    if args.unset_openblas_env:
        environments["unset"] = {
            k: v for k, v in os.environ.items() if k not in OPENBLAS_ENV
        }
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "worktree",
                "add",
                "--detach",
                str(base),
                args.base,
            ],
            check=True,
            capture_output=True,
        )
        try:
            revision = subprocess.run(
                ["git", "-C", str(base), "log", "-1", "--format=%h %s"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(f"base: {revision}\nnew: the working tree of {ROOT}\n")
            for env_name, env in environments.items():
                shown = {k: env.get(k, "(unset)") for k in OPENBLAS_ENV}
                print(f"## OpenBLAS environment {env_name}: {shown}")
                print(f"BLAS (threadpoolctl): {blas_kernel(env)}\n")
                print(
                    "| config | base fit (s) | new fit (s) | base / new | same loss |"
                )
                print("| --- | --- | --- | --- | --- |")
                for config in args.config or CONFIGS:
                    times = {"base": [], "new": []}
                    losses = {}
                    for _ in range(args.repeats):
                        for name, tree in (("base", base), ("new", ROOT)):
                            result = run(tree, config, env)
                            times[name].append(result["fit_time"])
                            losses[name] = result["loss"]
                    b, n = (statistics.median(times[k]) for k in ("base", "new"))
                    same = np.isclose(losses["base"], losses["new"], rtol=1e-6)
                    print(
                        f"| {config} | {b:.3f} | {n:.3f} | {b / n:.3f} | "
                        f"{'yes' if same else 'no'} |",
                        flush=True,
                    )
                print()
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                capture_output=True,
            )


if __name__ == "__main__":
    main()
