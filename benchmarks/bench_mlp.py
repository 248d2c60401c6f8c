"""sknumpynet against scikit-learn's MLPClassifier and PyTorch on the CPU.

Run from the repository root (needs the real MNIST files and, for the PyTorch
column, ``pip install "sknumpynet[benchmark]"``)::

    SKNUMPYNET_MNIST_DIR=../shared/data/mnist python benchmarks/bench_mlp.py

Every fit runs in a fresh Python process, so that its peak memory (RSS) is its
own; the libraries take turns, and the table reports medians over the repeats
and the ratios of sknumpynet to each peer. Results go to stdout and to
``benchmarks/results.md``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

CONFIGS = {
    "original": dict(hidden=(10,), batch_size=32, alpha=0.1, epochs=10),
    "wide": dict(hidden=(256, 128), batch_size=128, alpha=0.1, epochs=10),
}
LIBRARIES = ("sknumpynet", "sklearn", "torch")


# ----------------------------------------------------------------------
# One run, in a child process
# ----------------------------------------------------------------------


def _rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def _reset_peak_rss():
    # Linux: writing 5 to clear_refs resets VmHWM, the peak RSS, to the current RSS.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def load_data(n_train=None, replicate=1):
    """MNIST scaled to [0, 1] in float32; ``replicate`` tiles a larger training set."""
    from sknumpynet import load_mnist_idx

    X_train, X_test, y_train, y_test = load_mnist_idx(
        os.environ["SKNUMPYNET_MNIST_DIR"]
    )
    X_train = X_train[:n_train].astype(np.float32) / 255
    y_train = y_train[:n_train]
    if replicate > 1:
        # A larger synthetic set: copies of MNIST with a little pixel noise.
        rng = np.random.RandomState(0)
        X_train = np.concatenate(
            [X_train]
            + [
                np.clip(
                    X_train + rng.normal(0, 0.05, X_train.shape).astype(np.float32),
                    0,
                    1,
                )
                for _ in range(replicate - 1)
            ]
        )
        y_train = np.tile(y_train, replicate)
    return X_train, X_test.astype(np.float32) / 255, y_train, y_test


def _make_sknumpynet(cfg):
    from sknumpynet import NumpyMLPClassifier

    return NumpyMLPClassifier(
        cfg["hidden"],
        "tanh",
        alpha=cfg["alpha"],
        learning_rate="constant",  # as MLPClassifier below
        l2=0.0,  # MLPClassifier below runs with alpha=0.0: the same objective
        batch_size=cfg["batch_size"],
        epochs=cfg["epochs"],
        tol=None,
        random_state=0,
    )


def _make_sklearn(cfg):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        cfg["hidden"],
        activation="tanh",
        solver="sgd",
        learning_rate_init=cfg["alpha"],
        momentum=0.0,
        alpha=0.0,
        batch_size=cfg["batch_size"],
        max_iter=cfg["epochs"],
        n_iter_no_change=cfg["epochs"] + 1,
        early_stopping=False,
        random_state=0,
    )


class _TorchMLP:
    """An equivalent torch.nn.Sequential trained with plain SGD."""

    def __init__(self, cfg):
        self.cfg = cfg

    def fit(self, X, y):
        import torch

        torch.manual_seed(0)
        sizes = [X.shape[1], *self.cfg["hidden"]]
        layers = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            layers += [torch.nn.Linear(n_in, n_out), torch.nn.Tanh()]
        layers.append(torch.nn.Linear(sizes[-1], 10))
        self.model = model = torch.nn.Sequential(*layers)
        optimizer = torch.optim.SGD(model.parameters(), lr=self.cfg["alpha"])
        loss_fn = torch.nn.CrossEntropyLoss()
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
        batch = self.cfg["batch_size"]
        for _ in range(self.cfg["epochs"]):
            order = torch.randperm(X_t.shape[0])
            for start in range(0, X_t.shape[0], batch):
                idx = order[start : start + batch]
                optimizer.zero_grad()
                loss_fn(model(X_t[idx]), y_t[idx]).backward()
                optimizer.step()
        return self

    def predict_proba(self, X):
        import torch

        with torch.no_grad():
            return torch.softmax(self.model(torch.from_numpy(X)), dim=1).numpy()

    def score(self, X, y):
        return float(np.mean(self.predict_proba(X).argmax(1) == y))


def child(library, config, n_train, replicate, epochs):
    """Fit one model; print a JSON line with times, accuracy and memory."""
    cfg = dict(CONFIGS[config])
    if epochs:
        cfg["epochs"] = epochs
    X_train, X_test, y_train, y_test = load_data(n_train, replicate)
    if library == "torch":
        import torch

        torch.set_num_threads(os.cpu_count())
        model = _TorchMLP(cfg)
    else:
        model = {"sknumpynet": _make_sknumpynet, "sklearn": _make_sklearn}[library](cfg)
    import warnings

    warnings.simplefilter("ignore")
    rss_before = _rss_kib("VmRSS")
    _reset_peak_rss()
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    fit_peak = _rss_kib("VmHWM")
    accuracy = model.score(X_test, y_test)
    predict_times = []
    for _ in range(5):
        start = time.perf_counter()
        model.predict_proba(X_test)
        predict_times.append(time.perf_counter() - start)
    print(
        json.dumps(
            dict(
                fit_time=fit_time,
                accuracy=accuracy,
                predict_rate=X_test.shape[0] / min(predict_times),
                peak_rss_mib=fit_peak / 1024,
                fit_rss_mib=(fit_peak - rss_before) / 1024,
                n_train=X_train.shape[0],
                epochs=cfg["epochs"],
            )
        )
    )


# ----------------------------------------------------------------------
# The parent: alternate runs, take medians, report ratios
# ----------------------------------------------------------------------


def run_child(library, config, n_train=None, replicate=1, epochs=None):
    cmd = [sys.executable, __file__, "--child", library, "--config", config]
    if n_train:
        cmd += ["--n-train", str(n_train)]
    if replicate > 1:
        cmd += ["--replicate", str(replicate)]
    if epochs:
        cmd += ["--epochs", str(epochs)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def gemm_gflops(n=2048, repeats=5):
    """The machine's measured float32 matrix-product rate, in GFLOP/s."""
    rng = np.random.RandomState(0)
    A = rng.rand(n, n).astype(np.float32)
    B = rng.rand(n, n).astype(np.float32)
    A @ B
    best = min(_timed(lambda: A @ B) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def training_flops_per_sample(hidden, n_in=784, n_out=10):
    """Multiply-adds x 2 of forward and backward for one sample.

    Forward: one product per layer. Backward: one product per layer for the
    weight gradient, plus one per layer above the first for the deltas (the
    input layer needs none).
    """
    units = [n_in, *hidden, n_out]
    products = [a * b for a, b in zip(units, units[1:])]
    return 2 * (2 * sum(products) + sum(products[1:]))


def available_libraries():
    libs = ["sknumpynet", "sklearn"]
    try:
        import torch  # noqa: F401

        libs.append("torch")
    except ImportError:
        print("PyTorch is not installed: its column is skipped.")
    return libs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=LIBRARIES)
    parser.add_argument("--config", choices=list(CONFIGS), default="original")
    parser.add_argument("--n-train", type=int)
    parser.add_argument("--replicate", type=int, default=1)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    parser.add_argument(
        "--json",
        type=Path,
        default=HERE / "results.json",
        help="the medians as JSON, which plot_speed.py draws",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.config, args.n_train, args.replicate, args.epochs)
        return

    if "SKNUMPYNET_MNIST_DIR" not in os.environ:
        sys.exit("Set SKNUMPYNET_MNIST_DIR to the folder of the MNIST IDX files.")
    libs = available_libraries()
    gemm = gemm_gflops()
    from threadpoolctl import threadpool_info

    blas = ", ".join(
        f"{i.get('internal_api')} {i.get('architecture')} ({i.get('num_threads')} "
        "threads)"
        for i in threadpool_info()
    )
    env = ", ".join(
        f"{k}={os.environ.get(k, '(unset)')}"
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    )
    lines = [
        f"Machine: {os.cpu_count()} cores; measured float32 GEMM rate "
        f"{gemm:.1f} GFLOP/s (2048x2048 matmul). BLAS: {blas}; {env}.",
        f"Medians of {args.repeats} alternating runs, each in a fresh process; "
        "MNIST scaled to [0, 1], float32.",
        "",
    ]
    medians = {}
    for config, cfg in CONFIGS.items():
        runs = {lib: [] for lib in libs}
        for _ in range(args.repeats):
            for lib in libs:
                runs[lib].append(run_child(lib, config))
                print(config, lib, runs[lib][-1], flush=True)
        med = {
            lib: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
            for lib, rs in runs.items()
        }
        medians[config] = med
        hidden = "-".join(map(str, cfg["hidden"]))
        lines += [
            f"### Config `{config}`: 784-{hidden}-10 tanh, batch {cfg['batch_size']}, "
            f"alpha {cfg['alpha']}, {cfg['epochs']} epochs",
            "",
            "| library | fit (s) | test accuracy | predict_proba (samples/s) "
            "| peak RSS (MiB) | RSS added by fit (MiB) |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for lib in libs:
            m = med[lib]
            lines.append(
                f"| {lib} | {m['fit_time']:.2f} | {m['accuracy']:.4f} | "
                f"{m['predict_rate']:,.0f} | {m['peak_rss_mib']:.0f} | "
                f"{m['fit_rss_mib']:.1f} |"
            )
        ours = med["sknumpynet"]
        for lib in libs[1:]:
            m = med[lib]
            # The ratio of each round's pair of fits: how noisy the machine was.
            rounds = [
                peer["fit_time"] / mine["fit_time"]
                for peer, mine in zip(runs[lib], runs["sknumpynet"])
            ]
            lines.append("")
            lines.append(
                f"sknumpynet vs {lib}: fit **{m['fit_time'] / ours['fit_time']:.2f}x** "
                f"faster (per round {min(rounds):.2f}x-{max(rounds):.2f}x), predict_proba **{ours['predict_rate'] / m['predict_rate']:.2f}x** "
                f"the throughput, peak RSS **{ours['peak_rss_mib'] / m['peak_rss_mib']:.2f}x**, "
                f"RSS added by fit **{ours['fit_rss_mib'] / max(m['fit_rss_mib'], 0.1):.2f}x**, "
                f"accuracy {ours['accuracy'] - m['accuracy']:+.4f}."
            )
        flops = (
            training_flops_per_sample(cfg["hidden"]) * ours["n_train"] * ours["epochs"]
        )
        rate = flops / ours["fit_time"] / 1e9
        lines += [
            "",
            f"sknumpynet training rate: {rate:.1f} GFLOP/s = "
            f"**{rate / gemm:.0%}** of the measured GEMM rate.",
            "",
        ]

    lines += [
        "### Fit time per sample as n grows (config `original`, 3 epochs, sknumpynet)",
        "",
        "| n_train | fit (s) | µs per sample-epoch | peak RSS (MiB) |",
        "| --- | --- | --- | --- |",
    ]
    for n_train, replicate in [(10_000, 1), (60_000, 1), (60_000, 4)]:
        r = run_child("sknumpynet", "original", n_train, replicate, epochs=3)
        lines.append(
            f"| {r['n_train']:,} | {r['fit_time']:.2f} | "
            f"{r['fit_time'] / (r['n_train'] * 3) * 1e6:.2f} | {r['peak_rss_mib']:.0f} |"
        )
    if not any(os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
        lines += [
            "",
            "This machine sets neither OPENBLAS_CORETYPE nor OPENBLAS_L2_SIZE: the "
            'run "as set" is the run with both unset.',
        ]
    report = "\n".join(lines)
    print("\n" + report)
    args.output.write_text("# Benchmark results\n\n" + report + "\n")
    args.json.write_text(
        json.dumps({"machine": lines[0], "medians": medians}, indent=1) + "\n"
    )
    print(f"\nWritten to {args.output} and {args.json}")


if __name__ == "__main__":
    main()
