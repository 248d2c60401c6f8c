"""Every example runs (in its quick form), does what it says and draws its picture."""

import os
import runpy
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TESTED = [
    "mnist/plot_mnist_neural_network",
    "mnist/plot_grid_search_alpha_epochs",
    "mnist/plot_cross_validation",
    "mnist/plot_persistence",
    "mnist/plot_own_digits",
    "regression/plot_regression",
    "scaling/plot_out_of_core",
    "scaling/plot_distributed_grid_search",
]


@pytest.fixture(autouse=True)
def _real_mnist(monkeypatch, mnist_dir):
    monkeypatch.setenv("SKNUMPYNET_MNIST_DIR", str(mnist_dir))
    plt.close("all")
    yield
    plt.close("all")


def _run(name, **kwargs):
    """Run an example quickly; check it left its one picture open; return its result."""
    main = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="example")["main"]
    result = main(quick=True, **kwargs)
    # Each example leaves its picture open, for the gallery or plt.show().
    assert len(plt.get_fignums()) == 1
    assert plt.gcf().axes[0].has_data()
    plt.close("all")
    return result


def test_every_example_is_tested_and_in_a_gallery_section():
    names = {p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.glob("*/*.py")}
    tested = {f"{name}.py" for name in TESTED}
    assert names == tested
    for section in {p.parent for p in EXAMPLES.glob("*/*.py")}:
        assert (section / "README.txt").exists()


def test_mnist_neural_network(capsys):
    accuracies = _run("mnist/plot_mnist_neural_network")
    assert list(accuracies) == ["original training", "default"]
    assert min(accuracies.values()) > 0.85
    out = capsys.readouterr().out
    assert "MNIST, original training: test accuracy" in out
    assert "MNIST, default: test accuracy" in out


def test_grid_search_alpha_epochs(tmp_path, capsys):
    from sknumpynet import MLPGridSearchCV

    search = _run("mnist/plot_grid_search_alpha_epochs", output_dir=tmp_path)
    assert isinstance(search, MLPGridSearchCV)
    assert len(search.cv_results_["params"]) == 6
    out = capsys.readouterr().out
    assert "GridSearchCV's mean scores within 0.01 of these: True" in out
    assert "halving round 1: 8 candidate(s) trained to 1 epochs" in out
    assert "halving round 4: 1 candidate(s) trained to 8 epochs" in out
    assert (tmp_path / "grid_search.png").stat().st_size > 0


def test_cross_validation():
    scores = _run("mnist/plot_cross_validation")
    assert scores.shape == (5,) and scores.mean() > 0.8


def test_persistence(tmp_path):
    assert _run("mnist/plot_persistence", output_dir=tmp_path)
    assert (tmp_path / "mnist_mlp.joblib").exists()


def test_own_digits(tmp_path):
    accuracy = _run("mnist/plot_own_digits", output_dir=tmp_path)
    original = accuracy["original images"]
    assert accuracy["photos, load_digit_images"] > original - 0.05
    assert accuracy["photos, naive resize"] < 0.4
    assert len(list((tmp_path / "photos").glob("*.png"))) == 100
    assert (tmp_path / "own_digits.png").stat().st_size > 0


def test_out_of_core_memory_stays_flat_as_the_file_grows(tmp_path):
    name = "scaling/plot_out_of_core"
    small, _, added_small, size_small = _run(name, copies=2, output_dir=tmp_path)
    clf, accuracy, added, size = _run(name, copies=8, output_dir=tmp_path)
    assert (tmp_path / "out_of_core.png").stat().st_size > 0
    assert size > 3.9 * size_small  # 36 and 144 MiB of float32 pixels
    assert clf.n_iter_ == 10 and small.n_iter_ == 3  # chunks of 5000 rows
    assert accuracy > 0.85
    # A few chunks (15 MiB each) in memory at a time, however large the file.
    assert added < added_small + 10
    assert added < size / 2
    assert not (tmp_path / "train.npy").exists()  # the example cleans up


def test_distributed_grid_search():
    pytest.importorskip("dask.distributed")
    serial, distributed, _, _ = _run(
        "scaling/plot_distributed_grid_search",
    )
    np.testing.assert_allclose(
        serial.cv_results_["mean_test_score"],
        distributed.cv_results_["mean_test_score"],
    )


def test_regression(tmp_path):
    model, r2 = _run("regression/plot_regression", output_dir=tmp_path)
    assert r2 > 0.9
    assert model[-1].n_iter_ < 500  # early stopping ended it
    assert (tmp_path / "regression.png").stat().st_size > 10_000


def test_an_example_from_the_command_line(mnist_dir, tmp_path):
    import subprocess

    result = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "mnist" / "plot_grid_search_alpha_epochs.py"),
            "--quick",
            "--data-dir",
            str(mnist_dir),
            "--output-dir",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "SKNUMPYNET_MNIST_DIR"},
    )
    assert result.returncode == 0, result.stderr
    assert f"Loading MNIST from the IDX files in {mnist_dir}" in result.stdout
    assert "MNIST: best" in result.stdout
    assert (tmp_path / "out" / "grid_search.png").stat().st_size > 0


def test_examples_use_only_public_names():
    for path in EXAMPLES.glob("*/*.py"):
        for line in path.read_text().splitlines():
            if line.startswith(("from sknumpynet", "import sknumpynet")):
                assert "._" not in line and " _" not in line, f"{path.name}: {line}"


def test_a_picture_without_a_display_or_output_dir_is_not_dropped_silently(
    mnist_dir,
):
    import subprocess

    result = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "mnist" / "plot_cross_validation.py"),
            "--quick",
            "--data-dir",
            str(mnist_dir),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},  # as on a machine with no display
    )
    assert result.returncode == 0, result.stderr
    assert (
        "cross_validation.png is not shown: matplotlib has no display here. "
        "Pass --output-dir DIR to write the picture to a file."
    ) in result.stdout
