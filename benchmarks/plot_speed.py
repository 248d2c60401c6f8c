"""Draw the fit times of ``bench_mlp.py``'s latest run, side by side.

Reads ``benchmarks/results.json`` (written by ``bench_mlp.py``) and writes
``docs/_static/images/speed.png``, the picture of the documentation's
performance page::

    python benchmarks/plot_speed.py
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).resolve().parent
NAMES = {
    "original": "784-10-10, batch 32",
    "wide": "784-256-128-10, batch 128",
}
LABELS = {
    "sknumpynet": "sknumpynet",
    "sklearn": "scikit-learn MLPClassifier",
    "torch": "PyTorch (CPU)",
}


def main():
    """Plot fit time per library and network, each bar labelled with its ratio."""
    results = json.loads((HERE / "results.json").read_text())
    medians = results["medians"]
    fig, axes = plt.subplots(1, len(medians), figsize=(10, 3.8))
    for ax, (config, by_library) in zip(axes, medians.items()):
        libraries = list(by_library)
        times = [by_library[lib]["fit_time"] for lib in libraries]
        ours = by_library["sknumpynet"]["fit_time"]
        bars = ax.barh([LABELS.get(lib, lib) for lib in libraries], times)
        for bar, seconds in zip(bars, times):
            label = f"{seconds:.2f} s" + (
                "" if seconds == ours else f"  ({seconds / ours:.2f}x)"
            )
            ax.text(
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                " " + label,
                va="center",
            )
        ax.set_xlim(0, max(times) * 2.0)
        ax.invert_yaxis()
        ax.set(
            xlabel="fit time, 10 epochs of MNIST (s)", title=NAMES.get(config, config)
        )
    fig.suptitle(
        "Fit time, medians of fresh-process runs (lower is faster; "
        "in brackets: the time over sknumpynet's)"
    )
    fig.tight_layout()
    output = HERE.parent / "docs" / "_static" / "images" / "speed.png"
    fig.savefig(output, dpi=100)
    print(f"written to {output}")


if __name__ == "__main__":
    main()
